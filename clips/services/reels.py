"""Highlight reels: one video from chosen clips of a video or of a gallery.

`reel_create` checks the choice (the user's own ready clips, at most `Reel.MAX_ITEMS`, at most
`Reel.MAX_SECONDS` in all) and queues the job; `reel_render` (the job) cuts each clip's range
from its source on the fast ffmpeg path, in the reel's aspect, and lets `render.reel` compose
them with crossfades and title cards.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import render
import timeline
from accounts.models import User
from common.emotions import emotion_label
from common.errors import ApplicationError
from common.files import local_copy
from jobs.models import Job
from jobs.services import ProgressReporter, job_create, job_enqueue
from render.reel import ReelSegment, compose_reel
from videos.models import SourceVideo

from ..models import Clip, Reel
from .rendering import face_finder, source_cues

logger = logging.getLogger(__name__)

RENDER_TASK = "clips.tasks.render_reel"


def _score(clip: Clip) -> float:
    if clip.moment is not None and clip.kind == "comments":
        return float(clip.moment.score)
    return float(clip.intensity or 0.0)


def _card_label(position: int, clip: Clip) -> str:
    moment = clip.moment
    peak = moment.peak if moment is not None else clip.start
    parts = [f"#{position}", timeline.clock(peak)]
    if moment is not None and clip.kind == "comments":
        viewers = int(moment.evidence.get("distinct_authors") or 0)
        if viewers:
            parts.append(ngettext("%(n)d viewer", "%(n)d viewers", viewers) % {"n": viewers})
    elif clip.emotion:
        parts.append(str(emotion_label(clip.emotion)))
    return " · ".join(parts)


def reel_create(*, user: User, clips: Sequence[Clip], order: str = Reel.Order.TIME,
                title_cards: bool = False, aspect: str = "source", title: str = "",
                captions: bool = False) -> Reel:
    """Queue a reel of the given clips (the caller has checked they are the user's)."""
    if order not in Reel.Order.values:
        raise ApplicationError(_("Choose an order: in time or best first."), {"field": "order"})
    if aspect not in render.ASPECTS:
        raise ApplicationError(_("Unknown aspect ratio."), {"field": "aspect"})
    clips = list(dict.fromkeys(clips))  # the same clip twice counts once
    if not clips:
        raise ApplicationError(_("Choose at least one clip."), {"field": "clips"})
    if len(clips) > Reel.MAX_ITEMS:
        raise ApplicationError(
            _("A reel joins at most %(n)d clips.") % {"n": Reel.MAX_ITEMS},
            {"field": "clips", "max_items": Reel.MAX_ITEMS})
    for clip in clips:
        if clip.user_id != user.pk or not clip.is_visible:
            raise ApplicationError(_("No such clip."), {"field": "clips"})
        if clip.status != Clip.Status.READY or not clip.source.is_ready:
            raise ApplicationError(_("Clip %(id)d is not ready.") % {"id": clip.pk},
                                   {"field": "clips", "clip": clip.pk})
    total = sum(clip.end - clip.start for clip in clips)
    if total > Reel.MAX_SECONDS:
        raise ApplicationError(
            _("A reel is at most %(n)d seconds long; these clips make %(total)d.")
            % {"n": Reel.MAX_SECONDS, "total": total},
            {"field": "clips", "max_seconds": Reel.MAX_SECONDS})
    if order == Reel.Order.SCORE:
        clips.sort(key=_score, reverse=True)
    else:  # in time: each source's clips in order, sources in the order first chosen
        first = {clip.source_id: i for i, clip in reversed(list(enumerate(clips)))}
        clips.sort(key=lambda c: (first[c.source_id], c.start))
    items = [{"clip": clip.pk, "source": clip.source_id, "start": clip.start, "end": clip.end,
              "score": _score(clip), "label": _card_label(position, clip)}
             for position, clip in enumerate(clips, start=1)]
    with transaction.atomic():
        reel = Reel.objects.create(user=user, title=title.strip()[:120], order=order,
                                   title_cards=title_cards, aspect=aspect, items=items,
                                   captions=bool(captions))
        job = job_create(user=user, kind=Job.Kind.REEL_RENDER, target=f"reel:{reel.pk}",
                         message=_("Waiting to make the reel"))
        job_enqueue(job=job, func=RENDER_TASK, reel_id=reel.pk)
    return reel


def reel_render(*, reel: Reel, progress: ProgressReporter) -> str:
    """The job: cut, compose, store. Safe to run twice (a ready reel is left alone)."""
    if reel.status == Reel.Status.READY:
        return _("Reel ready")
    reel.status, reel.error = Reel.Status.RENDERING, ""
    reel.save(update_fields=["status", "error"])
    sources = SourceVideo.objects.in_bulk({item["source"] for item in reel.items})
    # The same options as a clip's: faces followed in a reframed aspect, captions burned in.
    options = render.RenderOptions(aspect=reel.aspect, captions=reel.captions)
    find_faces = face_finder() if options.reframes else None
    try:
        with tempfile.TemporaryDirectory(prefix="shortory-reel-") as tmp:
            segments = []
            count = len(reel.items)
            for index, item in enumerate(reel.items):
                progress(40 * index / count, _("Cutting clip %(n)d of %(total)d")
                         % {"n": index + 1, "total": count})
                source = sources.get(item["source"])
                if source is None or not source.is_ready:
                    raise ApplicationError(_("A source video of this reel is gone."))
                with local_copy(source.file) as source_path:
                    cut = render.render_clip(
                        source_path, item["start"], item["end"], Path(tmp) / f"cut-{index}.mp4",
                        options=options, find_faces=find_faces,
                        cues=source_cues(source) if options.captions else (),
                        thumbnail=Path(tmp) / f"cut-{index}.jpg")
                segments.append(ReelSegment(path=cut.path, label=item["label"]))
            compose = progress.sub(40, 95)
            progress(40, _("Joining the clips"))
            result = compose_reel(segments, Path(tmp) / "reel.mp4",
                                  thumbnail=Path(tmp) / "reel.jpg",
                                  title_cards=reel.title_cards, progress=compose)
            progress(95, _("Storing the reel"))
            with open(result.path, "rb") as video, open(result.thumbnail, "rb") as thumb:
                reel.file.save("reel.mp4", File(video), save=False)
                reel.thumbnail.save("reel.jpg", File(thumb), save=False)
    except (render.MediaError, ApplicationError) as exc:
        reel.status = Reel.Status.FAILED
        reel.error = getattr(exc, "message", None) or str(exc)
        reel.save(update_fields=["status", "error"])
        raise ApplicationError(reel.error) from exc
    reel.duration = result.duration
    reel.size_bytes = reel.file.size
    reel.status = Reel.Status.READY
    reel.save(update_fields=["file", "thumbnail", "duration", "size_bytes", "status"])
    return _("Reel ready")


def reel_delete(*, reel: Reel) -> None:
    reel.delete()


def reel_download_name(reel: Reel) -> str:
    return f"shortory-reel-{reel.pk}.mp4"
