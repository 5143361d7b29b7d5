"""Open sockets close when their rights go: a token revoked, a sign-out, an account
deactivated or deleted (``common.ws_auth.close_user_sockets``); signing out says so."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from common.ws_auth import close_user_sockets

from .models import User


@receiver(post_delete, sender=Token, dispatch_uid="accounts_token_revoked")
def token_revoked(sender, instance: Token, **kwargs) -> None:
    close_user_sockets(instance.user_id, credential=("token", instance.key))


@receiver(post_save, sender=User, dispatch_uid="accounts_user_deactivated")
def user_deactivated(sender, instance: User, **kwargs) -> None:
    if not instance.is_active:
        close_user_sockets(instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="accounts_user_deleted")
def user_deleted(sender, instance: User, **kwargs) -> None:
    close_user_sockets(instance.pk)


@receiver(user_logged_out, dispatch_uid="accounts_signed_out")
def signed_out(sender, request, user, **kwargs) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and key:
        close_user_sockets(user.pk, credential=("session", key))


@receiver(user_logged_out, dispatch_uid="accounts_say_logged_out")
def say_logged_out(sender, request, user, **kwargs) -> None:
    # Deleting an account also logs out, and says so itself; the API has no messages.
    if request is not None and hasattr(request, "_messages") and not getattr(
            request, "deleting_account", False):
        messages.info(request, _("You are logged out. See you soon!"))
