from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Shortory's user. Custom from the first migration so fields can be added later."""

    email = models.EmailField(_("email address"), blank=True)
    webcam_consent = models.BooleanField(
        _("remember webcam consent"),
        default=False,
        help_text=_(
            "Skip the consent step on the watch page. Frames are analysed on the server and "
            "discarded; only emotion scores are kept."
        ),
    )
    webcam_consent_at = models.DateTimeField(_("webcam consent given at"), null=True, blank=True)
    crowd_opt_out = models.BooleanField(
        _("keep my reactions out of crowd timelines"),
        default=False,
        db_default=False,  # rows written by code that predates the field still get a value
        help_text=_(
            "Crowd timelines show, per second, the share of all viewers of a video who reacted; "
            "never anyone alone: only seconds that enough distinct viewers watched. Tick this "
            "to keep your sessions out of them (earlier contributions are taken out too)."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
