from __future__ import annotations

from datetime import datetime

from django.http import Http404

from .models import Job


def jobs_for_user(*, user):
    return Job.objects.filter(user=user)


def get_job_for_user(user, pk) -> Job:
    job = Job.objects.filter(user=user, pk=pk).first()
    if job is None:
        raise Http404("No such job")
    return job


def job_events_changed_since(
    *, user, since: datetime | None, limit: int = 20
) -> tuple[list[dict], datetime | None]:
    """Events of the user's jobs updated after `since` (the latest `limit` when None),
    oldest first, and the new high-water mark."""
    jobs = jobs_for_user(user=user)
    if since is not None:
        jobs = jobs.filter(updated_at__gt=since)
    rows = list(jobs.order_by("-updated_at")[:limit])
    rows.reverse()
    mark = rows[-1].updated_at if rows else since
    return [job.as_event() for job in rows], mark


def latest_job(*, user, target: str) -> Job | None:
    """The newest job of the user for one target (``"video:<pk>"``, ``"session:<pk>"``)."""
    return Job.objects.filter(user=user, target=target).order_by("-created_at", "-id").first()
