from __future__ import annotations

import logging

from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import exports
import render
import timeline
from common.emotions import REACTIONS, emotion_label
from common.files import local_copy
from exports.model import one_line
from videos.models import CommentOrigin, SourceVideo, Video
from videos.selectors import source_download_name
from videos.services import video_has_imported_comments

from .models import Clip, Moment, Reel, ShareLink
from .services.editing import clip_editor_window, clip_source_duration

logger = logging.getLogger(__name__)


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


# --- the clip editor -------------------------------------------------------------------------

def clip_video(clip: Clip) -> Video | None:
    """The owner's video the clip was cut from (its player plays the source for previews)."""
    moment = clip.moment
    if moment is not None and moment.video_id:
        return moment.video
    if moment is not None and moment.session_id:
        return moment.session.video
    return Video.objects.filter(user=clip.user_id, source=clip.source_id).first()


def clip_editor(*, clip: Clip) -> dict:
    window = clip_editor_window(clip)
    video = clip_video(clip)
    link = ShareLink.objects.filter(clip=clip, revoked_at__isnull=True).first()
    return {"clip": clip, "video": video, "window": window,
            "duration": clip_source_duration(clip), "share_link": link,
            "min_seconds": Clip.MIN_SECONDS, "max_seconds": Clip.MAX_SECONDS}


# --- share links ---------------------------------------------------------------------------

def get_live_share_link(token: str) -> ShareLink:
    """The link behind a token, while it is live (not revoked, clip ready and not hidden)."""
    link = (ShareLink.objects.live().filter(token=token)
            .select_related("clip__source", "clip__moment").first())
    if link is None:
        raise Http404("No such link")
    return link


def moment_names_are_public(moment: Moment | None) -> bool:
    """Comment authors may be named on a public page only when their comments are public on
    YouTube: a YouTube source whose comments were collected there, not an uploaded file."""
    if moment is None or moment.kind != Moment.Kind.COMMENTS or moment.video is None:
        return False
    source = moment.video.source
    return (source.kind == SourceVideo.Kind.YOUTUBE
            and source.comments_source in (CommentOrigin.API, CommentOrigin.YTDLP)
            and not video_has_imported_comments(video=moment.video))


def clip_why(clip: Clip) -> str:
    """The "why this moment" line, with no names in it."""
    moment = clip.moment
    if moment is not None and moment.kind == Moment.Kind.COMMENTS:
        mentions = int(moment.evidence.get("mention_count") or 0)
        viewers = int(moment.evidence.get("distinct_authors") or 0)
        return ngettext("%(n)d viewer pointed to this moment in the comments.",
                        "%(n)d viewers pointed to this moment in the comments.",
                        viewers) % {"n": viewers} + (
            " " + ngettext("%(n)d mention in all.", "%(n)d mentions in all.", mentions)
            % {"n": mentions} if mentions > viewers else "")
    if clip.emotion:
        return _("A strong %(emotion)s reaction while watching.") % {
            "emotion": emotion_label(clip.emotion)}
    return ""


def share_page(*, link: ShareLink) -> dict:
    clip = link.clip
    moment = clip.moment
    quotes = []
    if moment_names_are_public(moment):
        assert moment is not None
        quotes = [{"text": q.get("text", ""), "author": q.get("author", "")}
                  for q in moment.evidence.get("top_comments", [])[:3]]
    return {"link": link, "clip": clip, "source": clip.source, "why": clip_why(clip),
            # One line: the title is the uploader's and goes into <title> and preview cards.
            "quotes": quotes, "title": one_line(str(clip.source))}


def shared_clips() -> QuerySet:
    """Clips with a live link, for moderators."""
    return Clip.objects.filter(share_links__revoked_at__isnull=True).distinct()


# --- reels ---------------------------------------------------------------------------------

def reels_for_user(*, user):
    return Reel.objects.filter(user=user)


def get_reel_for_user(user, pk) -> Reel:
    reel = reels_for_user(user=user).filter(pk=pk).first()
    if reel is None:
        raise Http404("No such reel")
    return reel


def reel_media(reel: Reel, field: str = "file") -> FieldFile:
    """The ready reel's video (``file``) or poster (``thumbnail``) in storage; 404 otherwise."""
    file = getattr(reel, field)
    if reel.status != Reel.Status.READY or not file:
        raise Http404("The reel is not ready")
    return file


def reel_candidates(*, user, video_id: int | None = None, emotion: str = "") -> list[Clip]:
    """The ready clips a reel can be made of: one video's (comment and emotion clips), or one
    emotion gallery's, or all of the user's."""
    clips = clips_for_user(user=user).filter(status=Clip.Status.READY).select_related(
        "moment", "moment__video", "moment__session")
    if video_id is not None:
        clips = clips.filter(Q(moment__video_id=video_id) | Q(moment__session__video_id=video_id))
    if emotion:
        clips = clips.filter(kind=Moment.Kind.EMOTION, emotion=emotion)
    return list(clips.order_by("source_id", "start"))


# --- exports -------------------------------------------------------------------------------

EXPORT_FORMATS = {
    # name: (file suffix, content type)
    "srt": (".srt", "application/x-subrip; charset=utf-8"),
    "fcpxml": (".fcpxml", "application/xml; charset=utf-8"),
    "edl": (".edl", "text/plain; charset=utf-8"),
    "mlt": (".mlt", "application/xml; charset=utf-8"),
    "json": ("-moments.json", "application/json; charset=utf-8"),
}


def _export_source(source: SourceVideo) -> exports.ExportSource:
    fps = None
    width, height, has_audio = source.width, source.height, True
    if source.is_ready:
        try:
            with local_copy(source.file) as source_path:
                info = render.probe_media(source_path, full_scan=False)
            fps, has_audio = info.fps, info.has_audio
            width, height = width or info.width, height or info.height
        except render.MediaError as exc:
            logger.warning("could not probe source %s for an export: %s", source.pk, exc)
    return exports.ExportSource(
        name=str(source), filename=source_download_name(source),
        duration=float(source.duration or 0) or 1.0, fps=exports.frame_rate(fps),
        width=width or 1920, height=height or 1080, has_audio=has_audio)




def moment_title(moment: Moment, position: int | None = None) -> str:
    parts = [f"#{position or moment.rank}", timeline.clock(moment.peak)]
    if moment.kind == Moment.Kind.COMMENTS:
        viewers = int(moment.evidence.get("distinct_authors") or 0)
        parts.append(ngettext("%(n)d viewer", "%(n)d viewers", viewers) % {"n": viewers})
    elif moment.emotion:
        parts.append(emotion_label(moment.emotion))
    return " · ".join(parts)


def video_export(*, video: Video, user, kind: str = "") -> tuple[exports.ExportSource,
                                                                  list[exports.ExportMoment],
                                                                  list[dict]]:
    """The video's moments (comment moments, and the user's emotion moments of it) as export
    data, each over its clip's current window when it has a visible clip."""
    moments = Moment.objects.filter(
        Q(video=video) | Q(session__video=video, session__user=user)).select_related("clip")
    if kind in Moment.Kind.values:
        moments = moments.filter(kind=kind)
    rows = sorted(moments, key=lambda m: (m.kind != Moment.Kind.COMMENTS, m.rank, m.pk))
    data, extra = [], []
    for position, moment in enumerate(rows, start=1):
        clip = moment.visible_clip
        start, end = (clip.start, clip.end) if clip is not None else (moment.start, moment.end)
        note = clip_why(clip) if clip is not None else ""
        data.append(exports.ExportMoment(
            rank=position, start=start, end=end, peak=moment.peak, kind=moment.kind,
            score=float(moment.intensity if moment.kind == Moment.Kind.EMOTION
                        else moment.score) or 0.0,
            title=moment_title(moment, position), note=note))
        extra.append({"id": moment.pk, "clip": clip.pk if clip is not None else None,
                      "emotion": moment.emotion, "detected": {"start": moment.start,
                                                              "end": moment.end}})
    return _export_source(video.source), data, extra


def video_export_text(*, video: Video, user, fmt: str, kind: str = "") -> tuple[str, str, str]:
    """(text, file name, content type) of one export; Http404 for an unknown format."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such export")
    source, moments, extra = video_export(video=video, user=user, kind=kind)
    if fmt == "srt":
        text = exports.write_srt_markers(moments)
    elif fmt == "fcpxml":
        text = exports.write_fcpxml(source, moments)
    elif fmt == "edl":
        text = exports.write_edl(source, moments)
    elif fmt == "mlt":
        text = exports.write_mlt(source, moments)
    else:
        text = exports.write_moments_json(source, moments, extra)
    suffix, content_type = EXPORT_FORMATS[fmt]
    return text, f"shortory-{video.pk}-moments{suffix}" if fmt != "json" else \
        f"shortory-{video.pk}{suffix}", content_type
