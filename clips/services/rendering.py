"""Clip actions: rendering moments into files (temp name, then storage), deleting."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.files import File
from django.utils.translation import gettext as _

import render
from accounts.models import User
from common.errors import ApplicationError
from common.files import work_dir
from videos.models import SourceVideo

from ..models import Clip, Moment

logger = logging.getLogger(__name__)


def clip_delete(*, clip: Clip) -> None:
    """Delete a clip; django-cleanup removes its files once the transaction commits."""
    clip.delete()


def clip_render(*, clip: Clip, path: Path) -> Clip:
    """Render one clip from the local source file into storage.

    The renderer writes to a temporary name and moves the finished file into place, and the
    row becomes READY only after the file is stored: a gallery never shows a half file.
    """
    clip.status = Clip.Status.RENDERING
    clip.error = ""
    clip.save(update_fields=["status", "error"])
    try:
        with work_dir("render") as tmp:
            peak = clip.moment.peak if clip.moment is not None else None
            result = render.render_clip(
                path, clip.start, clip.end, Path(tmp) / "clip.mp4", aspect=clip.aspect,
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
    progress: Callable[[float, str], None],
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
                end=moment.end, aspect=aspect,
            )
        if clip.status != Clip.Status.READY:
            progress(100 * index / max(1, len(moments)),
                     _("Rendering clip %(n)d of %(total)d") % {"n": index + 1,
                                                              "total": len(moments)})
            clip_render(clip=clip, path=path)
        clips.append(clip)
    progress(100, _("Clips ready"))
    failed = [c for c in clips if c.status == Clip.Status.FAILED]
    if failed and len(failed) == len(clips):
        raise ApplicationError(_("No clip could be rendered: %(reason)s") % {"reason": failed[0].error})
    return clips


def clip_download_name(clip: Clip) -> str:
    label = clip.emotion or "moment"
    start = int(clip.start)
    return f"shortory-{clip.source_id}-{label}-{start // 60:02d}m{start % 60:02d}s-{clip.pk}.mp4"
