"""Keeping sessions and crowd timelines honest.

- A dead worker's session job leaves the session failed (not "making clips" for ever).
- A crowd contribution goes when its viewer opts out, or with its session, video, source or
  account (cascades); each time, its counts come out of the source's crowd timeline.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.services import crowd_opt_out_changed
from jobs.models import Job
from jobs.signals import job_abandoned

from .models import CrowdContribution, WatchSession
from .services import crowd_withdraw, crowd_withdraw_user


@receiver(job_abandoned, dispatch_uid="analysis_fail_abandoned_session")
def fail_abandoned_session(sender, job: Job, **kwargs) -> None:
    kind, _, pk = job.target.partition(":")
    if kind != "session" or not pk.isdigit():
        return
    WatchSession.objects.filter(pk=int(pk), user_id=job.user_id,
                                status=WatchSession.Status.PROCESSING).update(
        status=WatchSession.Status.FAILED, error=job.error)


@receiver(post_delete, sender=CrowdContribution, dispatch_uid="crowd_withdraw_on_delete")
def _withdraw_deleted_contribution(sender, instance: CrowdContribution, **kwargs) -> None:
    crowd_withdraw(contribution=instance)


@receiver(crowd_opt_out_changed, dispatch_uid="crowd_withdraw_on_opt_out")
def _withdraw_opted_out_user(sender, user, **kwargs) -> None:
    crowd_withdraw_user(user=user)
