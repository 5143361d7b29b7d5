"""Watch sessions: starting one, storing what the webcam analysis derived, finishing.

Views, the REST API and the consumer call these; they are the only code that writes
`WatchSession` and `EmotionSample` rows. The moments and clips of a finished session are made
by `clips` (its task is enqueued by name: this app never imports the one above it).
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import render
from accounts.models import User
from accounts.services import user_update_profile
from common.errors import ApplicationError
from common.files import local_copy
from emotion.capture import capture_size
from emotion.crowd import Contribution, Release, contribution_from_samples, merge_contributions
from emotion.moments import EmotionSample as Sample
from emotion.protocol import Recognizer
from emotion.reaction import ReactionReading, analyse_reaction
from emotion.vocabulary import EMOTIONS
from jobs.models import Job
from jobs.services import job_create, job_enqueue
from videos.models import Video

from .models import CrowdAggregate, CrowdContribution, EmotionSample, WatchSession

logger = logging.getLogger(__name__)

#: The task that turns a finished session into moments and clips (in `clips`, by name).
FINISH_TASK = "clips.tasks.finish_session"
#: The task that reads an uploaded reaction video (this app's own).
REACTION_TASK = "analysis.tasks.analyse_reaction"
#: Samples stored per write while a reaction video is read.
REACTION_BATCH = 200


def session_start(*, user: User, video: Video, remember_consent: bool = False) -> WatchSession:
    """Open a watch session on a ready video. Consent is asked on the page before this."""
    if video.user_id != user.pk:
        raise ApplicationError(_("This video is not in your library."))
    if not video.source.is_ready:
        raise ApplicationError(_("The video is not ready to watch yet."))
    if remember_consent and not user.webcam_consent:
        user_update_profile(user=user, email=user.email, webcam_consent=True)
    return WatchSession.objects.create(user=user, video=video, capture_fps=settings.CAPTURE_FPS)


def session_sample_allowance(*, session: WatchSession) -> int:
    """How many samples a session may hold: its video watched three times over at the
    session's capture rate (rewinds and rewatching), and never fewer than ten minutes' worth.
    Uploads beyond it are refused; nothing a real viewer sends comes near it."""
    duration = session.video.source.duration or 0.0
    fps = session.capture_fps or settings.CAPTURE_FPS
    return int(max(600.0, duration) * fps * 3)


def session_add_samples(*, session_id: int, samples: Iterable[Sample], dropped: int = 0) -> int:
    """Store a batch of derived samples (never frames). Returns how many were written."""
    return sessions_add_samples(batches=[(session_id, samples, dropped)])


def sessions_add_samples(*, batches: Iterable[tuple[int, Iterable[Sample], int]]) -> int:
    """Store the sample batches of several sessions, ``(session_id, samples, dropped)`` each,
    in one transaction (the live sockets of a process write theirs together: one commit, not
    one per socket). Returns how many samples were written."""
    rows: list[EmotionSample] = []
    counts: dict[int, list[int]] = {}
    for session_id, samples, dropped in batches:
        batch = [
            EmotionSample(session_id=session_id, t=s.t, attention=s.attention,
                          face_found=s.face_found,
                          **{k: s.probabilities.get(k, 0.0) for k in EMOTIONS})
            for s in samples
        ]
        rows.extend(batch)
        received_dropped = counts.setdefault(session_id, [0, 0])
        received_dropped[0] += len(batch)
        received_dropped[1] += dropped
    with transaction.atomic():
        EmotionSample.objects.bulk_create(rows)
        for session_id, (received, dropped) in counts.items():
            WatchSession.objects.filter(pk=session_id).update(
                frames_received=F("frames_received") + received,
                frames_dropped=F("frames_dropped") + dropped)
    return len(rows)


def session_finish(*, session: WatchSession) -> Job:
    """Close the session and queue the job that turns its strongest moments into clips."""
    with transaction.atomic():
        locked = WatchSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != WatchSession.Status.ACTIVE:
            existing = Job.objects.filter(target=f"session:{session.pk}").order_by("-id").first()
            if existing:
                return existing
            raise ApplicationError(_("This session is already finished."))
        locked.status = WatchSession.Status.PROCESSING
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        job = job_create(user=session.user, kind=Job.Kind.SESSION_FINISH,
                         target=f"session:{session.pk}")
        job_enqueue(job=job, func=FINISH_TASK, session_id=session.pk)
    session.refresh_from_db()
    return job


def session_retry(*, session: WatchSession) -> Job:
    """Make the clips of a session whose clip job failed again (its samples are kept)."""
    with transaction.atomic():
        locked = WatchSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != WatchSession.Status.FAILED:
            raise ApplicationError(_("Only a session whose clips failed can be tried again."))
        locked.status = WatchSession.Status.PROCESSING
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        job = job_create(user=session.user, kind=Job.Kind.SESSION_FINISH,
                         target=f"session:{session.pk}")
        job_enqueue(job=job, func=FINISH_TASK, session_id=session.pk)
    session.refresh_from_db()
    return job


def session_set_status(*, session: WatchSession, status: str, error: str = "") -> None:
    WatchSession.objects.filter(pk=session.pk).update(status=status, error=error)
    session.status, session.error = status, error


def session_samples(*, session: WatchSession) -> list[Sample]:
    """The session's samples as the pure moment finder takes them, in video-time order."""
    return [row.as_sample() for row in session.samples.order_by("t", "id")]


def reaction_readings(
    *,
    path: Path,
    offset: float,
    duration: float | None,
    fps: float | None = None,
    recognizer: Recognizer,
    on_frame: Callable[[int, float], None] | None = None,
) -> Iterator[ReactionReading]:
    """A recorded reaction video read exactly as the live page is: the same frame rate
    (``CAPTURE_FPS``), frame size (``emotion.capture``), JPEG, face tracking and attention.

    ``offset`` is where, in the recording, the source video started; readings carry source
    times in ``[0, duration]``. Stores nothing (the command and the job share it). Raises
    ``render.MediaError`` for a file whose pictures cannot be read. ``recognizer``: the live
    path's (``analysis.inference.default_recognizer()``).
    """
    rate = float(fps or settings.CAPTURE_FPS)
    start = max(0.0, offset)
    span = None if duration is None else max(0.0, duration + min(0.0, offset)) + 1.0 / rate
    frames = (
        (start + t, frame)
        for t, frame in render.read_frames(path, fps=rate, size=capture_size, start=start,
                                           max_seconds=span)
    )
    yield from analyse_reaction(frames, recognizer=recognizer, offset=offset,
                                duration=duration, on_frame=on_frame)


def session_add_reaction(
    *, session: WatchSession, upload: UploadedFile, offset: float
) -> Job:
    """A recorded reaction video instead of streaming: stored until analysed, then read by a
    job exactly as the live page is read (``reaction_readings``); the session then finishes
    as a live one does, into the same galleries.

    ``offset`` is where, in the recording, the source video started (seconds; negative when the
    recording began after it). Size-limited and probed before anything is stored.
    """
    if session.status != WatchSession.Status.ACTIVE:
        raise ApplicationError(_("This session is already finished."))
    if session.frames_received:
        raise ApplicationError(_("This session already has frames from the camera."))
    duration = session.video.source.duration
    if not math.isfinite(offset) or abs(offset) > settings.MAX_VIDEO_DURATION:
        raise ApplicationError(_("The start offset must be a number of seconds."),
                               {"field": "offset"})
    if (upload.size or 0) > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is larger than the %(limit)d MB limit.")
            % {"limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}, {"field": "file"})
    with tempfile.TemporaryDirectory(prefix="shortory-reaction-") as tmp:
        local = Path(tmp) / "reaction.bin"
        with open(local, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            info = render.probe_media(local)
        except render.MediaError as exc:
            raise ApplicationError(str(exc), {"field": "file"}) from exc
        if not info.has_video or not info.duration:
            raise ApplicationError(_("This file has no video stream."), {"field": "file"})
        if info.duration > settings.MAX_VIDEO_DURATION:
            raise ApplicationError(
                _("Videos may be at most %(hours).1f hours long.")
                % {"hours": settings.MAX_VIDEO_DURATION / 3600}, {"field": "file"})
        if offset >= info.duration or (duration and offset <= -duration):
            raise ApplicationError(
                _("With this offset the recording and the video never overlap."),
                {"field": "offset"})
        with transaction.atomic():
            locked = WatchSession.objects.select_for_update().get(pk=session.pk)
            if locked.status != WatchSession.Status.ACTIVE or locked.frames_received:
                raise ApplicationError(_("This session is already finished."))
            with open(local, "rb") as handle:
                locked.reaction_video.save("reaction.bin", File(handle), save=False)
            locked.reaction_offset = offset
            locked.status = WatchSession.Status.PROCESSING
            locked.save(update_fields=["reaction_video", "reaction_offset", "status"])
            job = job_create(user=session.user, kind=Job.Kind.SESSION_FINISH,
                             target=f"session:{session.pk}",
                             message=_("Reading your reaction video"))
            job_enqueue(job=job, func=REACTION_TASK, session_id=session.pk)
    session.refresh_from_db()
    return job


def session_read_reaction(
    *, session: WatchSession, recognizer: Recognizer,
    progress: Callable[[float, str], None] | None = None,
) -> int:
    """Read the session's reaction video into samples (replacing any earlier attempt's), drop
    the recording, and finish the session. Returns how many samples were stored. A file whose
    pictures cannot be read fails the session with the reason."""
    if not session.reaction_video:
        raise ApplicationError(_("This session has no reaction video."))
    duration = session.video.source.duration
    stored = 0
    batch: list[Sample] = []

    def on_frame(count: int, t: float) -> None:
        if progress is not None and duration and count % 20 == 0:
            progress(min(99.0, 100.0 * t / duration), _("Reading your reaction video"))

    EmotionSample.objects.filter(session=session).delete()  # a retried job starts over
    WatchSession.objects.filter(pk=session.pk).update(frames_received=0)
    try:
        with local_copy(session.reaction_video) as path:
            for reading in reaction_readings(path=path, offset=session.reaction_offset or 0.0,
                                             duration=duration, fps=session.capture_fps,
                                             recognizer=recognizer, on_frame=on_frame):
                batch.append(reading.sample())
                if len(batch) >= REACTION_BATCH:
                    stored += session_add_samples(session_id=session.pk, samples=batch)
                    batch = []
        stored += session_add_samples(session_id=session.pk, samples=batch)
    except render.MediaError as exc:
        _drop_reaction(session)
        session_set_status(session=session, status=WatchSession.Status.FAILED, error=str(exc))
        raise ApplicationError(str(exc)) from exc
    except Exception:
        # Whatever went wrong, the recording of a face is not kept and the session says so.
        _drop_reaction(session)
        session_set_status(session=session, status=WatchSession.Status.FAILED,
                           error=_("The reaction video could not be read."))
        raise
    _drop_reaction(session)
    session_set_status(session=session, status=WatchSession.Status.ACTIVE)
    session_finish(session=session)
    return stored


def _drop_reaction(session: WatchSession) -> None:
    """The recording is a video of the viewer's face: it goes as soon as it has been read."""
    session.reaction_video.delete(save=False)
    WatchSession.objects.filter(pk=session.pk).update(reaction_video="")


def crowd_contribute(*, session: WatchSession) -> bool:
    """Add a finished session to its source's crowd timeline, incrementally: only this
    session's samples, the viewer's earlier contribution and the counts are read.

    A viewer counts once per second (their newer session replaces the seconds it saw); a
    viewer who opted out adds nothing; a session already added is left alone (a job delivered
    twice does no harm). Returns whether the timeline changed.
    """
    user = session.user
    if user.crowd_opt_out:
        return False
    source = session.video.source
    fresh = contribution_from_samples(session_samples(session=session), duration=source.duration)
    if not any(fresh.seen):
        return False
    with transaction.atomic():
        CrowdAggregate.objects.get_or_create(source=source)
        aggregate = CrowdAggregate.objects.select_for_update().get(source=source)
        existing = (CrowdContribution.objects.select_for_update()
                    .filter(source=source, user=user).first())
        if existing is not None and existing.session_id == session.pk:
            return False
        counts = aggregate.aggregate()
        release = Release.from_json(aggregate.published)
        if existing is not None:
            older = Contribution.from_json(existing.data)
            counts.add(older, sign=-1)
            merged = merge_contributions(older, fresh)
            existing.session, existing.data = session, merged.as_json()
            existing.counted = release.changed(fresh.seen, existing.counted or [])
            existing.save(update_fields=["session", "data", "counted", "updated_at"])
        else:
            merged = fresh
            CrowdContribution.objects.create(source=source, user=user, session=session,
                                             data=merged.as_json(),
                                             counted=release.changed(fresh.seen, []))
            aggregate.contributors += 1
        counts.add(merged)
        aggregate.data = counts.as_json()
        # A second's published value moves once k distinct viewers changed it: a difference
        # between two readings is never fewer than k viewers' sessions (a reader who is one
        # of them finds k - 1 others behind it), the same k as every shown second.
        release.publish(counts, batch=settings.CROWD_MIN_VIEWERS)
        aggregate.published = release.as_json()
        aggregate.save(update_fields=["data", "published", "contributors", "updated_at"])
    return True


def crowd_withdraw(*, contribution: CrowdContribution) -> None:
    """Take one viewer's contribution out of the counts (called when its row goes, however
    it goes: opting out, deleting the session, the video or the account)."""
    with transaction.atomic():
        aggregate = (CrowdAggregate.objects.select_for_update()
                     .filter(source_id=contribution.source_id).first())
        if aggregate is None:  # the source (and its timeline) is going too
            return
        counts = aggregate.aggregate()
        gone = Contribution.from_json(contribution.data)
        counts.add(gone, sign=-1)
        aggregate.data = counts.as_json()
        aggregate.contributors = max(0, aggregate.contributors - 1)
        # The published copy may hold this viewer: the seconds they saw are hidden at once
        # (publishing them without the viewer would hand out their part as the difference).
        release = Release.from_json(aggregate.published)
        release.withdrawn(gone.seen, contribution.counted or [])
        aggregate.published = release.as_json()
        aggregate.save(update_fields=["data", "published", "contributors", "updated_at"])


def crowd_withdraw_user(*, user: User) -> int:
    """Take all of a user's contributions out of every crowd timeline (they opted out)."""
    deleted, _ = CrowdContribution.objects.filter(user=user).delete()  # post_delete withdraws
    return deleted
