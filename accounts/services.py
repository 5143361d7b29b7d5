"""Account actions. Views and API views call these; nothing else writes accounts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User

logger = logging.getLogger(__name__)


def user_update_profile(*, user: User, email: str, webcam_consent: bool) -> User:
    """Save the profile; records when webcam consent was given (cleared when withdrawn)."""
    user.email = email
    if webcam_consent and not user.webcam_consent:
        user.webcam_consent_at = timezone.now()
    elif not webcam_consent:
        user.webcam_consent_at = None
    user.webcam_consent = webcam_consent
    user.save(update_fields=["email", "webcam_consent", "webcam_consent_at"])
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
