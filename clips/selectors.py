from __future__ import annotations

from pathlib import Path

from django.http import Http404

from common.emotions import REACTIONS, emotion_label

from .models import Clip, Moment


def clips_for_user(*, user):
    return Clip.objects.visible().filter(user=user).select_related("source")


def get_clip_for_user(user, pk) -> Clip:
    clip = clips_for_user(user=user).filter(pk=pk).first()
    if clip is None:
        raise Http404("No such clip")
    return clip


def clip_file_path(clip: Clip, field: str = "file") -> Path:
    """The ready clip's video (``file``) or poster (``thumbnail``) on disk; 404 otherwise."""
    file = getattr(clip, field)
    if clip.status != Clip.Status.READY or not file:
        raise Http404("The clip is not ready")
    return Path(file.path)


def _sparkline(curve: list) -> str:
    """SVG points (100×30 box) for the [[t, value], ...] curve stored with an emotion moment."""
    if len(curve) < 2:
        return ""
    t0, t1 = curve[0][0], curve[-1][0]
    span = (t1 - t0) or 1
    return " ".join(f"{100 * (t - t0) / span:.1f},{30 - 30 * max(0.0, min(1.0, v)):.1f}"
                    for t, v in curve)


def gallery_clips_for_user(*, user, emotion: str):
    """The ready clips of one emotion's gallery: clips of the viewer's own reactions, and
    comment clips whose texts share that emotion (``comments.reactions``)."""
    return clips_for_user(user=user).filter(emotion=emotion, status=Clip.Status.READY)


def gallery_for_user(*, user, sort: str = "intensity") -> dict:
    """One section per collected emotion; neutral is the baseline and is not collected.
    Comment clips are marked ``from_comments`` (their label comes from the comment texts)."""
    ordering = ["-intensity", "-created_at"] if sort == "intensity" else ["-created_at"]
    sections = []
    for emotion in REACTIONS:
        clips = list(gallery_clips_for_user(user=user, emotion=emotion)
                     .select_related("moment__session").order_by(*ordering))
        for clip in clips:
            moment = clip.moment
            clip.from_comments = clip.kind == Moment.Kind.COMMENTS
            clip.curve = _sparkline(moment.evidence.get("curve", [])) if moment else ""
            if moment is None:
                clip.video_id = None
            else:
                clip.video_id = moment.session.video_id if moment.session_id else moment.video_id
        sections.append({"emotion": emotion, "label": emotion_label(emotion), "clips": clips})
    return {"sections": sections, "sort": sort}
