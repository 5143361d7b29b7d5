from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from analysis.models import WatchSession
from common.files import RandomName
from videos.models import Video


class ClipState(models.TextChoices):
    """What a moment's clip looks like to its owner; the label is what the page says."""

    READY = "ready", _("Ready to watch.")
    MAKING = "making", _("This clip is being made.")
    STOPPED = "stopped", _("Making this clip stopped before it finished.")
    FAILED = "failed", _("This clip could not be made.")
    HIDDEN = "hidden", _("A moderator hid this clip.")
    DELETED = "deleted", _("You deleted this clip.")


class MomentQuerySet(models.QuerySet["Moment"]):
    def comment_moments(self) -> MomentQuerySet:
        return self.filter(kind=Moment.Kind.COMMENTS)

    def emotion_moments(self) -> MomentQuerySet:
        return self.filter(kind=Moment.Kind.EMOTION)

    def with_clips(self) -> MomentQuerySet:
        return self.select_related("clip").order_by("rank")


class Moment(models.Model):
    """A ranked highlight, from comments (a user's video) or from a watch session."""

    class Kind(models.TextChoices):
        COMMENTS = "comments", _("Comments")
        EMOTION = "emotion", _("Emotion")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="moments",
        db_column="entry_id",
    )
    session = models.ForeignKey(
        "analysis.WatchSession", null=True, blank=True, on_delete=models.CASCADE,
        related_name="moments",
    )
    rank = models.PositiveSmallIntegerField()
    peak = models.FloatField()
    start = models.FloatField()
    end = models.FloatField()
    score = models.FloatField(default=0)
    emotion = models.CharField(max_length=16, blank=True)
    intensity = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MomentQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        db_table = "analysis_moment"  # the table it had when it lived in `analysis`

    def __str__(self) -> str:
        return f"{self.kind} moment #{self.rank} at {self.peak:.0f}s"

    #: What the API shows of a moment (plus ``clip``: the visible clip's id).
    API_FIELDS = ("id", "kind", "rank", "peak", "start", "end", "score", "emotion", "intensity",
                  "evidence")

    def as_data(self) -> dict:
        """The API's view of this moment, for any app that reads moments through a relation."""
        clip = self.visible_clip
        return {**{name: getattr(self, name) for name in self.API_FIELDS},
                "clip": clip.pk if clip is not None else None}

    @property
    def clip_state(self) -> ClipState:
        """The state of this moment's clip, for pages (`templates/clips/clip_state.html`).

        A missing clip is still being made while the moment's video or session is being
        processed, and was deleted otherwise; an unfinished one whose owner stopped
        processing (a crash, a killed worker) says so instead of waiting forever."""
        try:
            clip = self.clip
        except Clip.DoesNotExist:
            clip = None
        working = self._owner_is_processing()
        if clip is None:
            return ClipState.MAKING if working else ClipState.DELETED
        if clip.hidden:
            return ClipState.HIDDEN
        if clip.status == Clip.Status.READY:
            return ClipState.READY
        if clip.status == Clip.Status.FAILED:
            return ClipState.FAILED
        return ClipState.MAKING if working else ClipState.STOPPED

    def _owner_is_processing(self) -> bool:
        if self.video is not None:
            return self.video.status in {str(Video.Status.PENDING), str(Video.Status.PROCESSING)}
        if self.session is not None:
            return self.session.status in {str(WatchSession.Status.ACTIVE),
                                           str(WatchSession.Status.PROCESSING)}
        return False

    @property
    def visible_clip(self) -> Clip | None:
        """This moment's clip, unless a moderator hid it (the one "hidden clip" rule)."""
        try:
            clip = self.clip
        except Clip.DoesNotExist:
            return None
        return clip if clip.is_visible else None


class ClipQuerySet(models.QuerySet["Clip"]):
    def visible(self) -> ClipQuerySet:
        """Clips anyone may be shown: everything but what a moderator hid."""
        return self.filter(hidden=False)


class Clip(models.Model):
    """A rendered clip of a moment, in its owner's library and galleries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clips")
    source = models.ForeignKey(
        "videos.SourceVideo", on_delete=models.CASCADE, related_name="clips"
    )
    moment = models.OneToOneField(
        Moment, null=True, blank=True, on_delete=models.SET_NULL, related_name="clip"
    )
    kind = models.CharField(max_length=16, choices=Moment.Kind.choices)  # as the moment's
    emotion = models.CharField(max_length=16, blank=True)
    intensity = models.FloatField(null=True, blank=True)
    start = models.FloatField()
    end = models.FloatField()
    aspect = models.CharField(max_length=8, default="source")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=RandomName("clips", ".mp4"), blank=True, max_length=300)
    thumbnail = models.FileField(upload_to=RandomName("clips", ".jpg"), blank=True,
                                 max_length=300)
    duration = models.FloatField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    hidden = models.BooleanField(
        _("hidden by a moderator"), default=False, help_text=_("Hidden clips are not shown.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "emotion", "-created_at"],
                                name="clips_clip_user_id_14c702_idx")]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")

    def __str__(self) -> str:
        return f"clip #{self.pk} {self.start:.1f}–{self.end:.1f}s of {self.source}"

    @property
    def is_visible(self) -> bool:
        return not self.hidden
