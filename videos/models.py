from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

import render
import youtube
from common.files import RandomName


class CommentOrigin(models.TextChoices):
    """Where a comment set came from."""

    API = "api", _("YouTube Data API")
    YTDLP = "ytdlp", _("yt-dlp")
    FILE = "file", _("Uploaded file")


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

    file = models.FileField(_("file"), upload_to=RandomName("sources", ".mp4"), blank=True, max_length=300)
    file_status = models.CharField(
        _("file status"), max_length=16, choices=FileStatus.choices, default=FileStatus.NONE
    )
    file_error = models.TextField(_("file error"), blank=True)
    # A frame of the video (JPEG) for the library, made once the file is here.
    poster = models.FileField(_("poster"), upload_to=RandomName("posters", ".jpg"), blank=True,
                              max_length=300)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    comments_status = models.CharField(
        _("comments status"),
        max_length=16,
        choices=CommentsStatus.choices,
        default=CommentsStatus.NOT_HARVESTED,
    )
    comments_error = models.TextField(_("comments error"), blank=True)
    comments_source = models.CharField(_("comments source"), max_length=16, blank=True,
                                       choices=CommentOrigin.choices)
    comments_harvested_at = models.DateTimeField(null=True, blank=True)
    # Caption cues per second, by kind: {"laughter": [12, 13], "applause": [40]}
    # (comments.caption_cues; from the caption track, docs/caption-cues.md).
    caption_cues = models.JSONField(_("caption cues"), default=dict, blank=True)
    # When YouTube was last asked for the video's captions (asked once per source).
    captions_checked_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        db_table = "analysis_sourcevideo"
        verbose_name = _("source video")
        verbose_name_plural = _("source videos")

    def __str__(self) -> str:
        return self.title or self.youtube_id or f"upload #{self.pk}"

    @property
    def youtube_url(self) -> str:
        return youtube.watch_url(self.youtube_id) if self.youtube_id else ""

    @property
    def is_ready(self) -> bool:
        """The video file is here and can be played, cut or watched."""
        return self.file_status == self.FileStatus.READY and bool(self.file)


class CaptionTrack(models.Model):
    """A source video's captions: YouTube's own track (uploaded or automatic), fetched once,
    or a .srt/.vtt file uploaded for an own video. One per source; a new one replaces it.

    ``cues`` is a list of ``[start, end, text, [[word_start, word], ...]]`` (seconds)."""

    class Origin(models.TextChoices):
        YOUTUBE = "youtube", _("YouTube captions")
        YOUTUBE_AUTO = "youtube_auto", _("YouTube automatic captions")
        UPLOAD = "upload", _("Uploaded file")

    source = models.OneToOneField(SourceVideo, on_delete=models.CASCADE,
                                  related_name="caption_track")
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    language = models.CharField(_("language"), max_length=16, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    cues = models.JSONField(_("cues"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")

    def __str__(self) -> str:
        return f"{self.get_origin_display()} ({self.language or '?'}) of {self.source}"

    @property
    def cue_count(self) -> int:
        return len(self.cues)

    def as_cues(self) -> list[render.Cue]:
        """The stored cues as the renderer's values (source seconds)."""
        return [render.Cue(float(c[0]), float(c[1]), str(c[2]),
                           tuple(render.Word(float(w[0]), str(w[1])) for w in c[3]))
                for c in self.cues]

    @staticmethod
    def cues_to_data(cues: list[render.Cue]) -> list[list]:
        return [[round(c.start, 3), round(c.end, 3), c.text,
                 [[round(w.start, 3), w.text] for w in c.words]] for c in cues]


class Video(models.Model):
    """A video in a user's library: a source video plus that user's options and moments."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class NoMoments(models.TextChoices):
        """Why a video has no comment moments; the label is what the page says."""

        NO_COMMENTS = "no_comments", _("this video has no comments yet.")
        COMMENTS_DISABLED = "comments_disabled", _("comments are turned off for this video.")
        COMMENTS_UNAVAILABLE = "comments_unavailable", _("its comments could not be collected.")
        NO_TIMESTAMPS = "no_timestamps", _("no comment mentions a time in the video.")
        BEYOND_DURATION = "beyond_duration", _(
            "every time mentioned is past the end of the video.")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    source = models.ForeignKey(SourceVideo, on_delete=models.CASCADE, related_name="videos")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    # Why there are no comment moments, when there are none (a code the page explains).
    no_moments_reason = models.CharField(max_length=32, blank=True, choices=NoMoments.choices)
    top_k = models.PositiveSmallIntegerField(default=5)
    clip_before = models.PositiveSmallIntegerField(default=10)
    clip_after = models.PositiveSmallIntegerField(default=10)
    aspect = models.CharField(max_length=8, default="source")
    captions = models.BooleanField(_("burn in captions"), default=False)
    mention_histogram = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # Tables keep the names they had when these models lived in `analysis`.
        db_table = "analysis_libraryvideo"
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="one_entry_per_user_source")
        ]
        verbose_name = _("video")
        verbose_name_plural = _("videos")

    def __str__(self) -> str:
        return f"{self.source} ({self.user})"


class Comment(models.Model):
    """A harvested or imported comment. Imported ones belong to one user's video."""

    Origin = CommentOrigin

    source = models.ForeignKey(SourceVideo, on_delete=models.CASCADE, related_name="comments")
    imported_for = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.CASCADE, related_name="imported"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices)
    comment_id = models.CharField(max_length=128)
    parent_id = models.CharField(max_length=128, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_channel_id = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    like_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    seconds = models.JSONField(default=list, blank=True)  # extracted timestamps, in order

    class Meta:
        db_table = "analysis_comment"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "imported_for", "comment_id"], name="unique_comment_per_set"
            )
        ]
        indexes = [models.Index(fields=["source", "imported_for"], name="analysis_co_source__ee07f6_idx")]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"
