from __future__ import annotations

import secrets

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
        if not clip.is_visible:
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
    # Burn the source's captions into this clip (render.RenderOptions.captions).
    captions = models.BooleanField(_("captions burned in"), default=False)
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
    # The window the clip was first made with, for "reset" after trimming or extending.
    original_start = models.FloatField(null=True, blank=True)
    original_end = models.FloatField(null=True, blank=True)
    # A new range being rendered: the old file is served until the new one is stored.
    pending_start = models.FloatField(null=True, blank=True)
    pending_end = models.FloatField(null=True, blank=True)
    edit_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()

    #: Bounds of a clip's length in seconds (trim and extend).
    MIN_SECONDS = 1.0
    MAX_SECONDS = 180.0

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
        """The hidden-clip rule for one clip (``ClipQuerySet.visible`` for many)."""
        return not self.hidden

    @property
    def is_rerendering(self) -> bool:
        return self.pending_start is not None

    @property
    def has_original(self) -> bool:
        return self.original_start is not None and (
            (self.original_start, self.original_end) != (self.start, self.end))


def new_share_token() -> str:
    """256 random bits, URL-safe: unguessable."""
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def live(self) -> ShareLinkQuerySet:
        """Links that open: not revoked, and their clip is ready and not hidden."""
        return self.filter(revoked_at__isnull=True, clip__hidden=False,
                           clip__status=Clip.Status.READY)


class ShareLink(models.Model):
    """A public, revocable link to one clip (``/s/<token>/``)."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_share_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by_moderator = models.BooleanField(default=False)
    view_count = models.PositiveIntegerField(_("views"), default=0)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"share link of clip #{self.clip_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class Report(models.Model):
    """Someone's report of a shared clip; the moderators' queue in the admin."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or misleading")
        SEXUAL = "sexual", _("Sexual content")
        VIOLENCE = "violence", _("Violent or graphic content")
        HATE = "hate", _("Hateful or abusive content")
        PRIVACY = "privacy", _("Shows me without my permission")
        COPYRIGHT = "copyright", _("Infringes my rights")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN_DOWN = "taken_down", _("Clip taken down")
        DISMISSED = "dismissed", _("Dismissed")

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="reports")
    share_link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reports")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    MAX_DETAILS = 1000

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"report #{self.pk} of clip #{self.clip_id} ({self.reason})"


class Reel(models.Model):
    """One video joined from chosen clips (a highlight reel), rendered by a background job."""

    class Order(models.TextChoices):
        TIME = "time", _("In order of time")
        SCORE = "score", _("Best first")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reels")
    title = models.CharField(_("title"), max_length=120, blank=True)
    order = models.CharField(_("order"), max_length=8, choices=Order.choices, default=Order.TIME)
    title_cards = models.BooleanField(_("title cards"), default=False)
    aspect = models.CharField(max_length=8, default="source")
    # Burn each source's captions into its segments, as for a clip (render.RenderOptions).
    captions = models.BooleanField(_("captions burned in"), default=False)
    # What was chosen, as it was when the reel was made:
    # [{"clip": id, "source": id, "start", "end", "peak", "score", "label"}, ...] in reel order.
    items = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=RandomName("reels", ".mp4"), blank=True, max_length=300)
    thumbnail = models.FileField(upload_to=RandomName("reels", ".jpg"), blank=True,
                                 max_length=300)
    duration = models.FloatField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    #: Bounds: how many clips a reel joins, and how long it may be in all (seconds).
    MAX_ITEMS = 20
    MAX_SECONDS = 600.0

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("highlight reel")
        verbose_name_plural = _("highlight reels")

    def __str__(self) -> str:
        return self.title or f"reel #{self.pk}"
