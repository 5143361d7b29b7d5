"""Clip actions: rendering moments into files, deleting, bundling downloads."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

import render
from analysis.models import Moment, SourceVideo

from .models import Clip

logger = logging.getLogger(__name__)


def media_files_owned_by(*, user) -> list[str]:
    """Storage names of every media file that only this user's data refers to."""
    names: list[str] = []
    for clip in Clip.objects.filter(user=user):
        names += clip_files(clip)
    for source in SourceVideo.objects.filter(uploaded_by=user).exclude(file=""):
        names.append(source.file.name)
    return names


def clip_files(clip: Clip) -> list[str]:
    return [f.name for f in (clip.file, clip.thumbnail) if f]


def media_delete_on_commit(names: list[str]) -> None:
    """Delete media files once the surrounding transaction commits (rows first, files after:
    a failed delete never leaves rows pointing at missing files)."""
    def remove() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete media file %s", name)

    transaction.on_commit(remove)


def clip_delete(*, clip: Clip) -> None:
    names = clip_files(clip)
    with transaction.atomic():
        clip.delete()
        media_delete_on_commit(names)


def clip_render(*, clip: Clip, path: Path) -> Clip:
    """Render one clip from the local source file into storage.

    The renderer writes to a temporary name and moves the finished file into place, and the
    row becomes READY only after the file is stored: a gallery never shows a half file.
    """
    clip.status = Clip.Status.RENDERING
    clip.error = ""
    clip.save(update_fields=["status", "error"])
    try:
        with tempfile.TemporaryDirectory(prefix="shortory-render-") as tmp:
            peak = clip.moment.peak if clip.moment_id else None
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
        clip.status = Clip.Status.FAILED
        clip.error = str(exc)
        clip.save(update_fields=["status", "error"])
        logger.warning("clip %s failed: %s", clip.pk, exc)
        return clip
    clip.duration = result.duration
    clip.size_bytes = clip.file.size
    clip.status = Clip.Status.READY
    clip.save(update_fields=["file", "thumbnail", "duration", "size_bytes", "status"])
    return clip


def clips_render_for_moments(
    *, user, source: SourceVideo, moments: Iterable[Moment], path: Path, aspect: str,
    progress: Callable[[float, str], None],
) -> list[Clip]:
    """One clip per moment. Clips left from an earlier run (whose moments were replaced) are
    deleted; a moment that already has a ready clip is kept, so running twice is harmless."""
    moments = list(moments)
    stale = Clip.objects.filter(user=user, source=source, moment__isnull=True,
                                kind=moments[0].kind if moments else "")
    stale_names = [name for clip in stale for name in clip_files(clip)]
    with transaction.atomic():
        stale.delete()
        media_delete_on_commit(stale_names)
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
        from jobs.services import ApplicationError

        raise ApplicationError(_("No clip could be rendered: %(reason)s") % {"reason": failed[0].error})
    return clips


def clip_download_name(clip: Clip) -> str:
    label = clip.emotion or "moment"
    start = int(clip.start)
    return f"shortory-{clip.source_id}-{label}-{start // 60:02d}m{start % 60:02d}s-{clip.pk}.mp4"
