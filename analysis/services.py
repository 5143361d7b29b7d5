"""Watch sessions: starting one, storing what the webcam analysis derived, finishing.

Views, the REST API and the consumer call these; they are the only code that writes
`WatchSession` and `EmotionSample` rows. The moments and clips of a finished session are made
by `clips` (its task is enqueued by name: this app never imports the one above it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_update_profile
from common.errors import ApplicationError
from emotion.crowd import Contribution, contribution_from_samples, merge_contributions
from emotion.moments import EmotionSample as Sample
from emotion.vocabulary import EMOTIONS
from jobs.models import Job
from jobs.services import job_create, job_enqueue
from videos.models import Video

from .models import CrowdAggregate, CrowdContribution, EmotionSample, WatchSession

logger = logging.getLogger(__name__)

#: The task that turns a finished session into moments and clips (in `clips`, by name).
FINISH_TASK = "clips.tasks.finish_session"


def session_start(*, user: User, video: Video, remember_consent: bool = False) -> WatchSession:
    """Open a watch session on a ready video. Consent is asked on the page before this."""
    if video.user_id != user.pk:
        raise ApplicationError(_("This video is not in your library."))
    if not video.source.is_ready:
        raise ApplicationError(_("The video is not ready to watch yet."))
    if remember_consent and not user.webcam_consent:
        user_update_profile(user=user, email=user.email, webcam_consent=True)
    return WatchSession.objects.create(user=user, video=video, capture_fps=settings.CAPTURE_FPS)


def session_add_samples(*, session_id: int, samples: Iterable[Sample], dropped: int = 0) -> int:
    """Store a batch of derived samples (never frames). Returns how many were written."""
    rows = [
        EmotionSample(session_id=session_id, t=s.t, attention=s.attention,
                      face_found=s.face_found,
                      **{k: s.probabilities.get(k, 0.0) for k in EMOTIONS})
        for s in samples
    ]
    with transaction.atomic():
        EmotionSample.objects.bulk_create(rows)
        WatchSession.objects.filter(pk=session_id).update(
            frames_received=F("frames_received") + len(rows),
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


def session_set_status(*, session: WatchSession, status: str, error: str = "") -> None:
    WatchSession.objects.filter(pk=session.pk).update(status=status, error=error)
    session.status, session.error = status, error


def session_samples(*, session: WatchSession) -> list[Sample]:
    """The session's samples as the pure moment finder takes them, in video-time order."""
    return [row.as_sample() for row in session.samples.order_by("t", "id")]


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
        if existing is not None:
            older = Contribution.from_json(existing.data)
            counts.add(older, sign=-1)
            merged = merge_contributions(older, fresh)
            existing.session, existing.data = session, merged.as_json()
            existing.save(update_fields=["session", "data", "updated_at"])
        else:
            merged = fresh
            CrowdContribution.objects.create(source=source, user=user, session=session,
                                             data=merged.as_json())
            aggregate.contributors += 1
        counts.add(merged)
        aggregate.data = counts.as_json()
        aggregate.save(update_fields=["data", "contributors", "updated_at"])
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
        counts.add(Contribution.from_json(contribution.data), sign=-1)
        aggregate.data = counts.as_json()
        aggregate.contributors = max(0, aggregate.contributors - 1)
        aggregate.save(update_fields=["data", "contributors", "updated_at"])


def crowd_withdraw_user(*, user: User) -> int:
    """Take all of a user's contributions out of every crowd timeline (they opted out)."""
    deleted, _ = CrowdContribution.objects.filter(user=user).delete()  # post_delete withdraws
    return deleted
