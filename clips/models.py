import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def clip_path(instance: "Clip", filename: str) -> str:
    return f"clips/{uuid.uuid4().hex}.mp4"


class Clip(models.Model):
    """A rendered clip of a moment, in its owner's library and galleries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clips")
    source = models.ForeignKey(
        "analysis.SourceVideo", on_delete=models.CASCADE, related_name="clips"
    )
    moment = models.OneToOneField(
        "analysis.Moment", null=True, blank=True, on_delete=models.SET_NULL, related_name="clip"
    )
    kind = models.CharField(max_length=16)  # comments | emotion, as the moment's
    emotion = models.CharField(max_length=16, blank=True)
    intensity = models.FloatField(null=True, blank=True)
    start = models.FloatField()
    end = models.FloatField()
    aspect = models.CharField(max_length=8, default="source")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=clip_path, blank=True, max_length=300)
    thumbnail = models.FileField(upload_to=clip_path, blank=True, max_length=300)
    duration = models.FloatField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    hidden = models.BooleanField(
        _("hidden by a moderator"), default=False, help_text=_("Hidden clips are not shown.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "emotion", "-created_at"])]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")

    def __str__(self) -> str:
        return f"clip #{self.pk} {self.start:.1f}–{self.end:.1f}s of {self.source}"
