from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.i18n import pick_language


class Job(models.Model):
    """Any background work done for a user: harvesting, downloading, rendering, analysing.

    Status moves pending → running → done | failed, and from running back to pending when
    its worker dies and the work is started again. `progress` is 0–100 and `message` says
    what is happening now in words; `error` is the human-readable reason for a failure.
    """

    class Kind(models.TextChoices):
        DEMO = "demo", _("Demonstration")
        VIDEO_PROCESS = "video_process", _("Find moments and make clips")
        SESSION_FINISH = "session_finish", _("Make clips from a watch session")
        CLIP_RENDER = "clip_render", _("Render a clip")
        REEL_RENDER = "reel_render", _("Make a highlight reel")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The same two texts in every language of the site ({"en": ..., "ko": ...}), so a page
    # shows them in its reader's language; empty for rows written before they existed.
    message_i18n = models.JSONField(default=dict, blank=True)
    error_i18n = models.JSONField(default=dict, blank=True)
    # What the job works on, for links from the jobs page ("video:12", "session:3").
    target = models.CharField(_("target"), max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # How to do the work again (jobs.services.job_enqueue): the task's dotted name and its
    # arguments besides job_id. A job whose worker died is queued again with them
    # (jobs.services.job_sweep_stale); a row without them (older rows) is failed instead.
    task_func = models.CharField(max_length=200, blank=True)
    task_kwargs = models.JSONField(default=dict, blank=True)
    # The language of the page that started the job: its messages are written in it.
    language = models.CharField(max_length=16, blank=True)
    # How many times a worker has taken the job (jobs.services.job_run). It is also the
    # running worker's lease: its writes count only while the row still has its number.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written every few seconds by the worker running the job (jobs.services.Heartbeat): a
    # running job whose heartbeat stops is a dead worker's, started again by the sweep (failed
    # after JOB_MAX_ATTEMPTS).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            # The sweep of every worker process looks for running jobs every few seconds.
            models.Index(fields=["heartbeat_at"], condition=models.Q(status="running"),
                         name="job_running_heartbeat"),
            models.Index(fields=["updated_at"], condition=models.Q(status="pending"),
                         name="job_pending_updated"),
        ]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stale(self) -> bool:
        """Running, but its worker has stopped beating (killed, crashed, machine gone)."""
        from datetime import timedelta

        from django.utils import timezone

        if self.status != self.Status.RUNNING:
            return False
        beat = self.heartbeat_at or self.started_at or self.updated_at
        limit = timedelta(seconds=settings.JOB_STALE_AFTER)
        return beat is None or timezone.now() - beat > limit

    @property
    def message_text(self) -> str:
        """The status line in the active language."""
        return pick_language(self.message_i18n, self.message)

    @property
    def error_text(self) -> str:
        """The failure reason in the active language."""
        return pick_language(self.error_i18n, self.error)

    def as_event(self) -> dict:
        """The JSON shape pushed over `ws/jobs/` and returned by the API. `message` and
        `error` are in the active language; `i18n` has them in every language, so the
        socket can give each page its own (`jobs.consumers.localized`)."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "kind_display": str(self.get_kind_display()),
            "status": self.status,
            "status_display": str(self.get_status_display()),
            "progress": self.progress,
            "message": self.message_text,
            "error": self.error_text,
            "i18n": {code: {"message": self.message_i18n.get(code, self.message),
                            "error": self.error_i18n.get(code, self.error)}
                     for code in sorted({*self.message_i18n, *self.error_i18n})},
            "target": self.target,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }
