"""Keeping crowd timelines true to who may be counted.

A contribution row goes when its viewer opts out, or with its session, video, source or
account (cascades); each time, its counts come out of the source's crowd timeline.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.services import crowd_opt_out_changed

from .models import CrowdContribution
from .services import crowd_withdraw, crowd_withdraw_user


@receiver(post_delete, sender=CrowdContribution, dispatch_uid="crowd_withdraw_on_delete")
def _withdraw_deleted_contribution(sender, instance: CrowdContribution, **kwargs) -> None:
    crowd_withdraw(contribution=instance)


@receiver(crowd_opt_out_changed, dispatch_uid="crowd_withdraw_on_opt_out")
def _withdraw_opted_out_user(sender, user, **kwargs) -> None:
    crowd_withdraw_user(user=user)
