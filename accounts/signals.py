"""Feedback for signing out: the next page says it happened."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(user_logged_out)
def say_logged_out(sender, request, user, **kwargs) -> None:
    # Deleting an account also logs out, and says so itself; the API has no messages.
    if request is not None and hasattr(request, "_messages") and not getattr(
            request, "deleting_account", False):
        messages.info(request, _("You are logged out. See you soon!"))
