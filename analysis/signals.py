"""A dead worker's session job leaves the session failed (not "making clips" for ever)."""

from django.dispatch import receiver

from jobs.models import Job
from jobs.signals import job_abandoned

from .models import WatchSession


@receiver(job_abandoned, dispatch_uid="analysis_fail_abandoned_session")
def fail_abandoned_session(sender, job: Job, **kwargs) -> None:
    kind, _, pk = job.target.partition(":")
    if kind != "session" or not pk.isdigit():
        return
    WatchSession.objects.filter(pk=int(pk), user_id=job.user_id,
                                status=WatchSession.Status.PROCESSING).update(
        status=WatchSession.Status.FAILED, error=job.error)
