import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

EMOTIONS = ("happy", "sad", "angry", "neutral", "surprise")


def source_upload_path(instance: "SourceVideo", filename: str) -> str:
    # Nothing from the user's file name goes into the path.
    return f"sources/{uuid.uuid4().hex}.mp4"


class SourceVideo(models.Model):
    """One YouTube video (shared by every user who adds it) or one uploaded file."""

    class Kind(models.TextChoices):
        YOUTUBE = "youtube", _("YouTube")
        UPLOAD = "upload", _("Upload")

    class FileStatus(models.TextChoices):
        NONE = "none", _("Not downloaded")
        DOWNLOADING = "downloading", _("Downloading")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class CommentsStatus(models.TextChoices):
        NOT_HARVESTED = "not_harvested", _("Not collected yet")
        HARVESTING = "harvesting", _("Collecting")
        HARVESTED = "harvested", _("Collected")
        DISABLED = "disabled", _("Comments are disabled")
        FAILED = "failed", _("Could not collect")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    youtube_id = models.CharField(_("YouTube id"), max_length=11, null=True, blank=True, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="uploaded_sources",
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    duration = models.FloatField(_("duration (s)"), null=True, blank=True)
    thumbnail_url = models.URLField(_("thumbnail URL"), max_length=500, blank=True)
    chapters = models.JSONField(_("chapters"), default=list, blank=True)
    heatmap = models.JSONField(_("most replayed"), null=True, blank=True)
    uploader = models.CharField(_("channel"), max_length=200, blank=True)

    file = models.FileField(_("file"), upload_to=source_upload_path, blank=True, max_length=300)
    file_status = models.CharField(
        _("file status"), max_length=16, choices=FileStatus.choices, default=FileStatus.NONE
    )
    file_error = models.TextField(_("file error"), blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    comments_status = models.CharField(
        _("comments status"),
        max_length=16,
        choices=CommentsStatus.choices,
        default=CommentsStatus.NOT_HARVESTED,
    )
    comments_error = models.TextField(_("comments error"), blank=True)
    comments_source = models.CharField(_("comments source"), max_length=16, blank=True)
    comments_harvested_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("source video")
        verbose_name_plural = _("source videos")

    def __str__(self) -> str:
        return self.title or self.youtube_id or f"upload #{self.pk}"

    @property
    def youtube_url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.youtube_id}" if self.youtube_id else ""


class LibraryVideo(models.Model):
    """A user's entry for a source video, with the moments found for that user."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library"
    )
    source = models.ForeignKey(SourceVideo, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    # Why there are no comment moments, when there are none (a code the page explains).
    no_moments_reason = models.CharField(max_length=32, blank=True)
    top_k = models.PositiveSmallIntegerField(default=5)
    clip_before = models.PositiveSmallIntegerField(default=10)
    clip_after = models.PositiveSmallIntegerField(default=10)
    aspect = models.CharField(max_length=8, default="source")
    mention_histogram = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="one_entry_per_user_source")
        ]
        verbose_name = _("library video")
        verbose_name_plural = _("library videos")

    def __str__(self) -> str:
        return f"{self.source} ({self.user})"


class Comment(models.Model):
    """A harvested or imported comment. Imported ones belong to one library entry."""

    source = models.ForeignKey(SourceVideo, on_delete=models.CASCADE, related_name="comments")
    imported_for = models.ForeignKey(
        LibraryVideo, null=True, blank=True, on_delete=models.CASCADE, related_name="imported"
    )
    origin = models.CharField(max_length=16)  # api | ytdlp | file
    comment_id = models.CharField(max_length=128)
    parent_id = models.CharField(max_length=128, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_channel_id = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    like_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    seconds = models.JSONField(default=list, blank=True)  # extracted timestamps, in order

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "imported_for", "comment_id"], name="unique_comment_per_set"
            )
        ]
        indexes = [models.Index(fields=["source", "imported_for"])]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class WatchSession(models.Model):
    """One viewing of a video with the webcam on."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Watching")
        PROCESSING = "processing", _("Making clips")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_sessions"
    )
    entry = models.ForeignKey(LibraryVideo, on_delete=models.CASCADE, related_name="sessions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    error = models.TextField(blank=True)
    capture_fps = models.PositiveSmallIntegerField(default=4)
    frames_received = models.PositiveIntegerField(default=0)
    frames_dropped = models.PositiveIntegerField(default=0)
    baseline = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("watch session")
        verbose_name_plural = _("watch sessions")

    def __str__(self) -> str:
        return f"session #{self.pk} of {self.entry}"


class EmotionSample(models.Model):
    """What the server derived from one webcam frame. The frame itself is never stored."""

    session = models.ForeignKey(WatchSession, on_delete=models.CASCADE, related_name="samples")
    t = models.FloatField(help_text="video time in seconds")
    happy = models.FloatField(default=0)
    sad = models.FloatField(default=0)
    angry = models.FloatField(default=0)
    neutral = models.FloatField(default=0)
    surprise = models.FloatField(default=0)
    attention = models.FloatField(default=0)
    face_found = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["t", "id"]
        indexes = [models.Index(fields=["session", "t"])]

    def __str__(self) -> str:
        return f"sample at {self.t:.2f}s of session {self.session_id}"

    def probabilities(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in EMOTIONS} if self.face_found else {}


class Moment(models.Model):
    """A ranked highlight, from comments (a library entry) or from a watch session."""

    class Kind(models.TextChoices):
        COMMENTS = "comments", _("Comments")
        EMOTION = "emotion", _("Emotion")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    entry = models.ForeignKey(
        LibraryVideo, null=True, blank=True, on_delete=models.CASCADE, related_name="moments"
    )
    session = models.ForeignKey(
        WatchSession, null=True, blank=True, on_delete=models.CASCADE, related_name="moments"
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

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.kind} moment #{self.rank} at {self.peak:.0f}s"
