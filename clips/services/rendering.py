"""Clip actions: rendering moments into files (temp name, then storage), deleting."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

import exports
import render
from accounts.models import User
from common.errors import ApplicationError
from common.files import work_dir
from common.i18n import Text
from emotion.detection import VideoFaceFinder
from jobs.models import Job
from jobs.services import job_create, job_enqueue
from videos.models import CaptionTrack, SourceVideo

from ..models import Clip, Moment

logger = logging.getLogger(__name__)


def clip_delete(*, clip: Clip) -> None:
    """Delete a clip; django-cleanup removes its files once the transaction commits."""
    clip.delete()


@lru_cache(maxsize=1)
def face_finder() -> VideoFaceFinder:
    """The reframe's face finder (full-range BlazeFace), loaded once per worker process."""
    return VideoFaceFinder(Path(settings.MODELS_DIR))


def clip_options(clip: Clip) -> render.RenderOptions:
    """How this clip is rendered (shared by every path that renders one)."""
    return render.RenderOptions(aspect=clip.aspect, captions=clip.captions)


def source_cues(source: SourceVideo) -> list[render.Cue]:
    """The source's caption cues (source seconds); none without a caption track."""
    track = CaptionTrack.objects.filter(source=source).first()
    return track.as_cues() if track is not None else []


def _rendering_text(n: int, total: int) -> Text:
    return lambda: _("Rendering clip %(n)d of %(total)d") % {"n": n, "total": total}


def clip_render(*, clip: Clip, path: Path) -> Clip:
    """Render one clip from the local source file into storage.

    The renderer writes to a temporary name and moves the finished file into place, and the
    row becomes READY only after the file is stored: a gallery never shows a half file.
    Reframed aspects follow faces (render.RenderOptions); captions are burned in when the
    clip asks for them and the source has a caption track.
    """
    clip.status = Clip.Status.RENDERING
    clip.error = ""
    clip.save(update_fields=["status", "error"])
    try:
        with work_dir("render") as tmp:
            peak = clip.moment.peak if clip.moment is not None else None
            options = clip_options(clip)
            result = render.render_clip(
                path, clip.start, clip.end, Path(tmp) / "clip.mp4", options=options,
                find_faces=face_finder() if options.reframes else None,
                cues=source_cues(clip.source) if options.captions else (),
                thumbnail=Path(tmp) / "thumb.jpg",
                # The poster is the moment itself: the most-cited second or the peak reaction.
                thumbnail_at=peak if peak is not None and clip.start <= peak < clip.end else None,
            )
            with open(result.path, "rb") as video, open(result.thumbnail, "rb") as thumb:
                clip.file.save("clip.mp4", File(video), save=False)
                clip.thumbnail.save("thumb.jpg", File(thumb), save=False)
    except render.MediaError as exc:
        return _clip_failed(clip, str(exc))
    except OSError:  # the storage could not take the file (disk full, permissions, ...)
        logger.exception("clip %s could not be stored", clip.pk)
        return _clip_failed(clip, _("The clip could not be stored. Please try again."))
    except BaseException:  # a task timeout or a stopping worker: never leave it "rendering"
        _clip_failed(clip, _("Rendering was stopped before it finished. Please try again."))
        raise
    clip.duration = result.duration
    clip.size_bytes = clip.file.size
    clip.status = Clip.Status.READY
    stored = Clip.objects.filter(pk=clip.pk).update(
        file=clip.file.name, thumbnail=clip.thumbnail.name, duration=clip.duration,
        size_bytes=clip.size_bytes, status=clip.status)
    if not stored:  # the clip (or its whole account) was deleted while it rendered
        for field in (clip.file, clip.thumbnail):
            field.storage.delete(field.name)
        logger.info("clip %s was deleted while rendering; its files are removed", clip.pk)
    return clip


def _clip_failed(clip: Clip, error: str) -> Clip:
    # A file stored before the failure is in no saved row yet: django-cleanup cannot see it.
    row = Clip.objects.filter(pk=clip.pk).values_list("file", "thumbnail").first()
    saved_file, saved_thumb = (row[0] or "", row[1] or "") if row else ("", "")
    for field, saved in ((clip.file, saved_file), (clip.thumbnail, saved_thumb)):
        if field.name and field.name != saved:
            field.storage.delete(field.name)
    clip.file.name, clip.thumbnail.name = saved_file, saved_thumb
    clip.status = Clip.Status.FAILED
    clip.error = error
    clip.save(update_fields=["status", "error"])
    logger.warning("clip %s failed: %s", clip.pk, error)
    return clip


def clips_render_for_moments(
    *, user: User, source: SourceVideo, moments: Iterable[Moment], path: Path,
    aspect: str,
    progress: Callable[[float, Text], None],
    captions: bool = False,
) -> list[Clip]:
    """One clip per moment. Clips left from an earlier run (whose moments were replaced) are
    deleted; a moment that already has a ready clip is kept, so running twice is harmless."""
    moments = list(moments)
    stale = Clip.objects.filter(user=user, source=source, moment__isnull=True,
                                kind=moments[0].kind if moments else "")
    stale.delete()
    clips: list[Clip] = []
    for index, moment in enumerate(moments):
        clip = Clip.objects.filter(moment=moment).first()
        if clip is None:
            clip = Clip.objects.create(
                user=user, source=source, moment=moment, kind=moment.kind,
                emotion=moment.emotion, intensity=moment.intensity, start=moment.start,
                end=moment.end, original_start=moment.start, original_end=moment.end,
                aspect=aspect, captions=captions,
            )
        if clip.status != Clip.Status.READY:
            progress(100 * index / max(1, len(moments)), _rendering_text(index + 1, len(moments)))
            clip_render(clip=clip, path=path)
        clips.append(clip)
    progress(100, lambda: _("Clips ready"))
    failed = [c for c in clips if c.status == Clip.Status.FAILED]
    if failed and len(failed) == len(clips):
        reason = failed[0].error
        raise ApplicationError.later(
            lambda: _("No clip could be rendered: %(reason)s") % {"reason": reason})
    return clips


def clip_download_name(clip: Clip, suffix: str = ".mp4") -> str:
    label = clip.emotion or "moment"
    start = int(clip.start)
    return (f"shortory-{clip.source_id}-{label}-{start // 60:02d}m{start % 60:02d}s-{clip.pk}"
            f"{suffix}")


def clip_subtitles(clip: Clip) -> str:
    """The clip's captions as SRT, timed from the clip's start ("" without captions)."""
    cues = render.cues_for_clip(source_cues(clip.source), clip.start, clip.end)
    return exports.write_srt([exports.Cue(c.start, c.end, c.text) for c in cues])


RENDER_TASK = "clips.tasks.render_clip"


def clip_set_captions(*, clip: Clip, captions: bool) -> Clip:
    """Switch burned-in captions on or off. When the choice changes the clip is rendered
    again in the background (the old file stays until the new one is stored)."""
    if clip.captions == captions:
        return clip
    if captions and not CaptionTrack.objects.filter(source_id=clip.source_id).exists():
        raise ApplicationError(_("This video has no captions to burn in."))
    with transaction.atomic():
        clip.captions = captions
        clip.status = Clip.Status.PENDING
        clip.save(update_fields=["captions", "status"])
        job = job_create(user=clip.user, kind=Job.Kind.CLIP_RENDER, target=f"clip:{clip.pk}")
        job_enqueue(job=job, func=RENDER_TASK, clip_id=clip.pk)
    return clip
