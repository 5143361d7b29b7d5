"""Account actions. Views and API views call these; nothing else writes accounts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User

#: Sent (inside the saving transaction) when a user opts out of crowd timelines.
crowd_opt_out_changed = Signal()

logger = logging.getLogger(__name__)


def user_update_profile(*, user: User, email: str, webcam_consent: bool,
                        crowd_opt_out: bool | None = None) -> User:
    """Save the profile; records when webcam consent was given (cleared when withdrawn).

    Opting out of crowd timelines sends ``crowd_opt_out_changed``: the app that owns the
    timelines (`analysis`) takes this user's contributions out of them.
    """
    fields = ["email", "webcam_consent", "webcam_consent_at"]
    opted_out_now = False
    if crowd_opt_out is not None and crowd_opt_out != user.crowd_opt_out:
        user.crowd_opt_out = crowd_opt_out
        opted_out_now = crowd_opt_out
        fields.append("crowd_opt_out")
    user.email = email
    if webcam_consent and not user.webcam_consent:
        user.webcam_consent_at = timezone.now()
    elif not webcam_consent:
        user.webcam_consent_at = None
    user.webcam_consent = webcam_consent
    with transaction.atomic():
        user.save(update_fields=fields)
        if opted_out_now:
            crowd_opt_out_changed.send(sender=User, user=user)
    return user


def user_delete_with_data(*, user: User) -> None:
    """Delete the account and everything it owns, media files included.

    Rows go by cascade (and the receivers of the apps that own them); django-cleanup removes
    the files after the transaction commits, so a failed delete never leaves rows pointing at
    missing files.
    """
    user_id = user.pk
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        user.delete()
    logger.info("deleted user %s and all their data", user_id)


def token_obtain(*, user: User) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user: User) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
