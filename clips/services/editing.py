"""Trimming and extending a clip: validate the new range, re-render it in the background and
swap the file in only once the new one is stored (the old one plays until then); "reset" goes
back to the window the clip was first made with.

The source file is what makes this possible: it stays as long as a video of it does (and the
clips and moments go with that video, `clips/signals.py`), so any clip can be re-cut later.
"""

from __future__ import annotations

import logging
import math
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

import render
from accounts.models import User
from common.errors import ApplicationError
from common.files import local_copy
from jobs.models import Job
from jobs.services import ProgressReporter, job_create, job_enqueue

from ..models import Clip
from .rendering import clip_options, face_finder, source_cues

logger = logging.getLogger(__name__)

RERENDER_TASK = "clips.tasks.rerender_clip"


def clip_source_duration(clip: Clip) -> float:
    """How far the clip may reach: the source's length (or, unknown, the clip's own end)."""
    duration = clip.source.duration
    return float(duration) if duration else float(clip.end)


def clip_validate_range(*, clip: Clip, start: float, end: float) -> tuple[float, float]:
    """The range rounded to the millisecond, or ApplicationError: inside the source, and
    between `Clip.MIN_SECONDS` and `Clip.MAX_SECONDS` long."""
    if not (isinstance(start, int | float) and isinstance(end, int | float)
            and math.isfinite(start) and math.isfinite(end)):
        raise ApplicationError(_("Start and end must be numbers of seconds."),
                               {"field": "start"})
    start, end = round(float(start), 3), round(float(end), 3)
    duration = clip_source_duration(clip)
    if start < 0:
        raise ApplicationError(_("The clip cannot start before the video does."),
                               {"field": "start", "min": 0})
    if end > duration + 0.05:
        raise ApplicationError(
            _("The clip cannot end after the video does (%(d).1f s).") % {"d": duration},
            {"field": "end", "max": duration})
    end = min(end, duration)
    length = end - start
    if length < Clip.MIN_SECONDS or length > Clip.MAX_SECONDS:
        raise ApplicationError(
            _("A clip is %(min)d to %(max)d seconds long.")
            % {"min": Clip.MIN_SECONDS, "max": Clip.MAX_SECONDS},
            {"field": "end", "min_seconds": Clip.MIN_SECONDS, "max_seconds": Clip.MAX_SECONDS})
    return start, end


def clip_rerender_start(*, clip: Clip, user: User, start: float, end: float) -> Job:
    """Ask for the clip over a new range. The clip keeps its file (and stays playable) until
    the job has stored the new one; a second request before then replaces the first."""
    if clip.status != Clip.Status.READY and clip.status != Clip.Status.FAILED:
        raise ApplicationError(_("Wait until the clip is rendered before changing it."),
                               {"code": "busy"})
    if not clip.source.is_ready:
        raise ApplicationError(_("The source video is not available any more."),
                               {"code": "no_source"})
    start, end = clip_validate_range(clip=clip, start=start, end=end)
    with transaction.atomic():
        Clip.objects.filter(pk=clip.pk).update(pending_start=start, pending_end=end,
                                               edit_error="")
        clip.pending_start, clip.pending_end, clip.edit_error = start, end, ""
        job = job_create(user=user, kind=Job.Kind.CLIP_RENDER, target=f"clip:{clip.pk}",
                         message=_("Waiting to re-cut the clip"))
        job_enqueue(job=job, func=RERENDER_TASK, clip_id=clip.pk)
    return job


def clip_reset_start(*, clip: Clip, user: User) -> Job:
    """Back to the window the clip was first made with."""
    if clip.original_start is None or clip.original_end is None:
        raise ApplicationError(_("This clip has no original window to go back to."),
                               {"code": "no_original"})
    return clip_rerender_start(clip=clip, user=user, start=clip.original_start,
                               end=clip.original_end)


def clip_rerender(*, clip: Clip, progress: ProgressReporter) -> str:
    """The job's work: render the pending range, then swap it in (file, poster, range)."""
    if clip.pending_start is None or clip.pending_end is None:
        return _("Nothing to re-cut")
    start, end = clip.pending_start, clip.pending_end
    progress(5, _("Cutting %(start).1f–%(end).1f s") % {"start": start, "end": end})
    try:
        with tempfile.TemporaryDirectory(prefix="shortory-recut-") as tmp:
            peak = clip.moment.peak if clip.moment is not None else None
            options = clip_options(clip)
            with local_copy(clip.source.file) as source_path:
                # The same options as every render of this clip: framing, captions.
                result = render.render_clip(
                    source_path, start, end, Path(tmp) / "clip.mp4", options=options,
                    find_faces=face_finder() if options.reframes else None,
                    cues=source_cues(clip.source) if options.captions else (),
                    thumbnail=Path(tmp) / "thumb.jpg",
                    thumbnail_at=peak if peak is not None and start <= peak < end else None)
            progress(80, _("Storing the new clip"))
            with open(result.path, "rb") as video, open(result.thumbnail, "rb") as thumb:
                with transaction.atomic():
                    fresh = Clip.objects.select_for_update().get(pk=clip.pk)
                    fresh.file.save("clip.mp4", File(video), save=False)
                    fresh.thumbnail.save("thumb.jpg", File(thumb), save=False)
                    fresh.start, fresh.end = start, end
                    fresh.duration = result.duration
                    fresh.size_bytes = fresh.file.size
                    fresh.status = Clip.Status.READY
                    fresh.error = ""
                    if (fresh.pending_start, fresh.pending_end) == (start, end):
                        fresh.pending_start = fresh.pending_end = None
                    # django-cleanup deletes the replaced files once this commits.
                    fresh.save(update_fields=["file", "thumbnail", "start", "end", "duration",
                                              "size_bytes", "status", "error",
                                              "pending_start", "pending_end"])
    except (render.MediaError, ValueError) as exc:
        Clip.objects.filter(pk=clip.pk, pending_start=start, pending_end=end).update(
            pending_start=None, pending_end=None, edit_error=str(exc))
        logger.warning("re-cut of clip %s failed: %s", clip.pk, exc)
        raise ApplicationError(_("The clip could not be re-cut: %(reason)s")
                               % {"reason": exc}) from exc
    return _("Clip re-cut to %(start).1f–%(end).1f s") % {"start": start, "end": end}


def clip_editor_window(clip: Clip) -> tuple[float, float]:
    """The stretch of source the editor shows: the clip and the original window, with room to
    extend on both sides, never longer than the longest clip plus margins."""
    duration = clip_source_duration(clip)
    low = min(clip.start, clip.original_start if clip.original_start is not None else clip.start)
    high = max(clip.end, clip.original_end if clip.original_end is not None else clip.end)
    margin = 30.0
    start = max(0.0, low - margin)
    end = min(duration, high + margin)
    return round(start, 3), round(end, 3)
