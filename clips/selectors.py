from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404

from common.emotions import REACTIONS, emotion_label

from .models import Clip


def clips_for_user(*, user):
    return Clip.objects.visible().filter(user=user).select_related("source")


def get_clip_for_user(user, pk) -> Clip:
    clip = clips_for_user(user=user).filter(pk=pk).first()
    if clip is None:
        raise Http404("No such clip")
    return clip


def clip_media(clip: Clip, field: str = "file") -> FieldFile:
    """The ready clip's video (``file``) or poster (``thumbnail``) in storage; 404 otherwise."""
    file = getattr(clip, field)
    if clip.status != Clip.Status.READY or not file:
        raise Http404("The clip is not ready")
    return file


def _sparkline(curve: list) -> str:
    """SVG points (100×30 box) for the [[t, value], ...] curve stored with an emotion moment."""
    if len(curve) < 2:
        return ""
    t0, t1 = curve[0][0], curve[-1][0]
    span = (t1 - t0) or 1
    return " ".join(f"{100 * (t - t0) / span:.1f},{30 - 30 * max(0.0, min(1.0, v)):.1f}"
                    for t, v in curve)


def gallery_for_user(*, user, sort: str = "intensity") -> dict:
    """One section per collected emotion; neutral is the baseline and is not collected."""
    ordering = ["-intensity", "-created_at"] if sort == "intensity" else ["-created_at"]
    ready = clips_for_user(user=user).filter(kind="emotion", status=Clip.Status.READY)
    ready = ready.select_related("moment__session")
    sections = []
    for emotion in REACTIONS:
        clips = list(ready.filter(emotion=emotion).order_by(*ordering))
        for clip in clips:
            moment = clip.moment
            clip.curve = _sparkline(moment.evidence.get("curve", [])) if moment else ""
            clip.video_id = moment.session.video_id if moment and moment.session_id else None
        sections.append({"emotion": emotion, "label": emotion_label(emotion), "clips": clips})
    return {"sections": sections, "sort": sort}
