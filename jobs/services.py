"""Job lifecycle and live progress.

Every background task records its state on a `Job` row and pushes the row's event to the
owner's channel-layer group, which `ws/jobs/` relays to every open page of that user. Pages
fall back to polling the API when the socket is down, so the row is the source of truth.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.errors import ApplicationError
from common.i18n import Text, in_all_languages, render_text

from .models import Job
from .signals import job_abandoned

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"jobs.user.{user_id}"


def job_broadcast(*, job: Job) -> None:
    """Push the job's current state to its owner's open pages. Never fails the caller."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group(job.user_id), {"type": "job.update", "job": job.as_event()}
        )
    except Exception:  # a broken fan-out must not fail the work itself; polling still works
        logger.exception("could not broadcast job %s", job.pk)


def _set_message(job: Job, text: Text) -> None:
    job.message = render_text(text)[:300]
    job.message_i18n = {code: value[:300] for code, value in in_all_languages(text).items()}


def job_create(*, user: User, kind: str, target: str = "", message: Text = "") -> Job:
    job = Job(user=user, kind=kind, target=target, language=translation.get_language() or "")
    _set_message(job, message or (lambda: _("Waiting to start")))
    job.save()
    job_broadcast(job=job)
    return job


def job_enqueue(*, job: Job, func: str, **kwargs: Any) -> None:
    """Queue `func(job_id=..., **kwargs)` once the surrounding transaction commits."""
    from django_q.tasks import async_task

    def send() -> None:
        task_id = async_task(func, job_id=job.pk, **kwargs, task_name=f"job-{job.pk}")
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(task_id or "")[:64])

    transaction.on_commit(send)


def _save(job: Job, fields: list[str]) -> None:
    job.save(update_fields=[*fields, "updated_at"])
    job_broadcast(job=job)


def job_start(*, job: Job, message: Text = "") -> None:
    job.status = Job.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.heartbeat_at = timezone.now()
    job.attempts += 1
    job.progress = 0
    job.error = ""
    job.error_i18n = {}
    _set_message(job, message or (lambda: _("Started")))
    _save(job, ["status", "started_at", "heartbeat_at", "attempts", "progress", "error",
                "error_i18n", "message", "message_i18n"])


class ProgressReporter:
    """Throttled progress updates: at most one write per `min_interval` unless the integer
    percentage reaches 100 or the message changes."""

    def __init__(self, job: Job, *, min_interval: float = 0.5, span: tuple[int, int] = (0, 100)):
        self.job = job
        self.min_interval = min_interval
        self.low, self.high = span
        self._last = 0.0

    def sub(self, low: int, high: int) -> ProgressReporter:
        """A reporter mapping 0–100 onto [low, high] of this one (for multi-step jobs)."""
        width = self.high - self.low
        return ProgressReporter(
            self.job,
            min_interval=self.min_interval,
            span=(self.low + width * low // 100, self.low + width * high // 100),
        )

    def __call__(self, percent: float, message: Text = "") -> None:
        value = int(self.low + (self.high - self.low) * max(0.0, min(100.0, percent)) / 100)
        value = max(value, self.job.progress)  # never goes backwards
        now = time.monotonic()
        rendered = render_text(message) if message else ""
        changed_message = bool(rendered) and rendered[:300] != self.job.message
        if value == self.job.progress and not changed_message:
            return
        if now - self._last < self.min_interval and not changed_message and value < 100:
            return
        self._last = now
        self.job.progress = value
        fields = ["progress"]
        if message:
            _set_message(self.job, message)
            fields += ["message", "message_i18n"]
        _save(self.job, fields)


def job_done(*, job: Job, message: Text = "") -> None:
    job.status = Job.Status.DONE
    job.progress = 100
    _set_message(job, message or (lambda: _("Done")))
    job.finished_at = timezone.now()
    _save(job, ["status", "progress", "message", "message_i18n", "finished_at"])


def job_fail(*, job: Job, error: Text) -> None:
    job.status = Job.Status.FAILED
    job.error = render_text(error)[:2000]
    job.error_i18n = {code: value[:2000] for code, value in in_all_languages(error).items()}
    _set_message(job, lambda: _("Failed"))
    job.finished_at = timezone.now()
    _save(job, ["status", "error", "error_i18n", "message", "message_i18n", "finished_at"])


def job_run(*, job_id: int, work: Callable[[Job, ProgressReporter], Text | None]) -> Job | None:
    """Run `work(job, progress)` with the job's status recorded around it.

    An `ApplicationError` fails the job with its message; any other exception fails it with a
    generic message and logs the traceback. A job that already finished is left alone, so a
    task delivered twice does no harm.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s vanished before it ran (owner deleted?)", job_id)
        return None
    if job.status == Job.Status.DONE:
        logger.info("job %s already done; skipping duplicate delivery", job_id)
        return job
    with translation.override(job.language or None):
        return _run_started(job, work)


class Heartbeat:
    """Writes ``heartbeat_at`` every JOB_HEARTBEAT_SECONDS from a thread while a job runs, so
    that a job whose worker was killed mid-render is recognised within seconds (``is_stale``)
    rather than when django-q2 redelivers the task (``retry``, over half an hour later)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}",
                                        daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now())
                except Exception:  # a missed beat is retried; the work must go on
                    logger.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()


def _run_started(job: Job, work: Callable[[Job, ProgressReporter], Text | None]) -> Job:
    job_start(job=job)
    try:
        with Heartbeat(job.pk):
            message = work(job, ProgressReporter(job))
    except ApplicationError as exc:
        job_fail(job=job, error=exc.text or exc.message)
    except Exception as exc:
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        name = type(exc).__name__
        job_fail(job=job, error=lambda: _(
            "Something went wrong on our side (%(name)s). Please try again.") % {"name": name})
    except BaseException:
        # django-q2's TimeoutException is a SystemExit, and a worker being stopped raises
        # KeyboardInterrupt: record why, then let it go on doing its job.
        logger.warning("job %s (%s) was stopped", job.pk, job.kind)
        job_fail(job=job, error=lambda: _("This took too long or the server was stopping, so "
                                          "it was stopped. Please try again."))
        raise
    else:
        job_done(job=job, message=message or "")
    return job


ABANDONED = gettext_lazy("The worker doing this stopped unexpectedly (it was restarted or crashed). "
              "Please try again.")


def job_sweep_stale(*, user: User | None = None) -> list[Job]:
    """Fail every running job whose worker stopped beating (``Job.is_stale``), and tell the
    apps that own its work (``job_abandoned``). Run every minute by the scheduled task, and
    before a retry, so Retry works on a dead worker's job."""
    running = Job.objects.filter(status=Job.Status.RUNNING)
    if user is not None:
        running = running.filter(user=user)
    failed = []
    for job in running:
        if not job.is_stale:
            continue
        # Only if nobody beat since we looked (a slow worker coming back wins).
        if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING,
                                  heartbeat_at=job.heartbeat_at).exists():
            continue
        logger.warning("job %s (%s) lost its worker; failing it", job.pk, job.kind)
        with translation.override(job.language or None):
            job_fail(job=job, error=lambda: str(ABANDONED))
            job_abandoned.send(sender=Job, job=job)
        failed.append(job)
    return failed


def demo_job_start(*, user: User, steps: int = 10, delay: float = 0.4) -> Job:
    """A demonstration job that counts to `steps`, to show live progress end to end."""
    job = job_create(user=user, kind=Job.Kind.DEMO)
    job_enqueue(job=job, func="jobs.tasks.demo_count", steps=steps, delay=delay)
    return job


def _step_text(step: int, steps: int) -> Text:
    return lambda: _("Step %(step)d of %(steps)d") % {"step": step, "steps": steps}


def demo_count(*, job: Job, progress: ProgressReporter, steps: int, delay: float) -> Text:
    for step in range(1, steps + 1):
        time.sleep(delay)
        progress(100 * step / steps, _step_text(step, steps))
    return lambda: _("Counted to %(steps)d") % {"steps": steps}
