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

    Rows go by cascade; files are removed after the transaction commits so that a failed
    delete never leaves rows pointing at missing files.
    """
    from clips.services import media_delete_on_commit, media_files_owned_by

    paths = media_files_owned_by(user=user)
    user_id = user.pk
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        user.delete()
        media_delete_on_commit(paths)
    logger.info("deleted user %s and %d media files", user_id, len(paths))


def token_obtain(*, user: User) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user: User) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
