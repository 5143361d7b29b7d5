from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.files import RandomName
from emotion.crowd import Aggregate as CrowdCounts
from emotion.crowd import CrowdTimeline, Release
from emotion.moments import EmotionSample as Sample
from emotion.vocabulary import EMOTIONS


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
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="sessions",
                              db_column="entry_id")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    error = models.TextField(blank=True)
    capture_fps = models.PositiveSmallIntegerField(default=4)
    frames_received = models.PositiveIntegerField(default=0)
    frames_dropped = models.PositiveIntegerField(default=0)
    baseline = models.JSONField(default=dict, blank=True)
    # A recorded reaction video uploaded instead of streaming: kept only until it is analysed.
    reaction_video = models.FileField(upload_to=RandomName("reactions", ".bin"), blank=True,
                                      max_length=300)
    reaction_offset = models.FloatField(
        null=True, blank=True,
        help_text="seconds into the recording at which the source video started")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("watch session")
        verbose_name_plural = _("watch sessions")

    def __str__(self) -> str:
        return f"session #{self.pk} of {self.video}"

    #: An open session with no frame for this long is shown as left unfinished (it stays
    #: open: the viewer may still resume it or finish it).
    ABANDONED_AFTER = timedelta(minutes=15)

    def last_activity(self) -> datetime:
        """When a frame last arrived (the start when none did). Uses the `last_sample_at`
        annotation of `analysis.selectors.sessions_for_user` when present."""
        if hasattr(self, "last_sample_at"):
            latest = self.last_sample_at
        else:
            latest = self.samples.order_by("-created_at").values_list(
                "created_at", flat=True).first()
        return max(latest, self.started_at) if latest else self.started_at

    @property
    def is_abandoned(self) -> bool:
        return (self.status == self.Status.ACTIVE
                and timezone.now() - self.last_activity() > self.ABANDONED_AFTER)

    @property
    def status_text(self) -> str:
        """The status as the pages name it (an abandoned open session is "not finished")."""
        if self.is_abandoned:
            return str(_("Not finished"))
        return str(self.get_status_display())


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

    def as_sample(self) -> Sample:
        return Sample(t=self.t, probabilities=self.probabilities(), attention=self.attention,
                      face_found=self.face_found)


class CrowdAggregate(models.Model):
    """Per-second counts over every contributing viewer of one source video (the crowd
    timeline). Holds counts only: who contributed is in `CrowdContribution`, which never
    leaves its owner. Read it through ``source.crowd`` and show only ``timeline()``."""

    source = models.OneToOneField("videos.SourceVideo", on_delete=models.CASCADE,
                                  related_name="crowd")
    data = models.JSONField(default=dict, blank=True)  # emotion.crowd.Aggregate.as_json()
    # What pages and the API read (emotion.crowd.Release.as_json()): per second, the counts
    # as last published, moved only once k distinct viewers changed that second, so
    # comparing two readings never isolates one viewer's session (docs/fusion.md).
    published = models.JSONField(default=dict, blank=True)
    contributors = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("crowd timeline")
        verbose_name_plural = _("crowd timelines")

    def __str__(self) -> str:
        return f"crowd of {self.source_id} ({self.contributors} viewers)"

    def aggregate(self) -> CrowdCounts:
        return CrowdCounts.from_json(self.data)

    def timeline(self) -> CrowdTimeline:
        """The shown part: the published counts, only for seconds that
        ``SHORTORY_CROWD_MIN_VIEWERS`` distinct viewers contributed (k-anonymity); the one way
        pages, the API and the ranking read the crowd."""
        return Release.from_json(self.published).published.shown(
            min_viewers=settings.CROWD_MIN_VIEWERS)


class CrowdContribution(models.Model):
    """What one viewer adds to a source's crowd timeline (their latest sessions, per second).
    Kept so the aggregate can take it out again: when the viewer opts out, or deletes the
    session, the video or their account. Never shown to anyone."""

    source = models.ForeignKey("videos.SourceVideo", on_delete=models.CASCADE,
                               related_name="crowd_contributions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="crowd_contributions")
    session = models.ForeignKey(WatchSession, on_delete=models.CASCADE,
                                related_name="crowd_contributions")
    data = models.JSONField(default=dict, blank=True)  # emotion.crowd.Contribution.as_json()
    # Per second, the publication epoch in which this viewer last counted as a change
    # (emotion.crowd.Release.changed; -1 or missing: never).
    counted = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "user"],
                                               name="one_crowd_contribution_per_viewer")]

    def __str__(self) -> str:
        return f"crowd contribution of user {self.user_id} to {self.source_id}"
