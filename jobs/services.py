"""Job lifecycle and live progress.

Every background task records its state on a `Job` row and pushes the row's event to the
owner's channel-layer group, which `ws/jobs/` relays to every open page of that user. Pages
fall back to polling the API when the socket is down, so the row is the source of truth.

No work is lost when a worker dies: the job remembers its task (``job_enqueue``), the worker
running it writes a heartbeat (``Heartbeat``), and a sweep in every worker process
(``Sweeper``) queues a job whose heartbeat stopped again, up to JOB_MAX_ATTEMPTS runs, then
fails it (``job_sweep_stale``); a job left waiting because the cluster that held its task
died is sent again (``job_resend_waiting``). A worker takes a job atomically and holds its attempt number
as a lease (``job_run``), so a duplicate delivery never runs the same work twice at once and
a worker that comes back after its job was taken never writes over the new attempt.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.errors import ApplicationError
from common.i18n import Text, in_all_languages, render_text

from .models import Job
from .signals import job_abandoned

logger = logging.getLogger(__name__)

ABANDONED = gettext_lazy("The worker doing this stopped unexpectedly (it was restarted or crashed). "
              "Please try again.")
RESTARTING = gettext_lazy("The worker doing this stopped; starting again")


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


def _set_error(job: Job, error: Text) -> None:
    job.error = render_text(error)[:2000]
    job.error_i18n = {code: value[:2000] for code, value in in_all_languages(error).items()}


def job_create(*, user: User, kind: str, target: str = "", message: Text = "") -> Job:
    job = Job(user=user, kind=kind, target=target, language=translation.get_language() or "")
    _set_message(job, message or (lambda: _("Waiting to start")))
    job.save()
    job_broadcast(job=job)
    return job


def job_enqueue(*, job: Job, func: str, **kwargs: Any) -> None:
    """Queue `func(job_id=..., **kwargs)` once the surrounding transaction commits.

    The job remembers `func` and `kwargs` (which must therefore be JSON: ids, numbers, text),
    so that a job whose worker dies can be queued again (``job_sweep_stale``)."""
    try:
        json.dumps(kwargs)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"a job's task arguments must be JSON values: {exc}") from exc
    job.task_func, job.task_kwargs = func, kwargs
    Job.objects.filter(pk=job.pk).update(task_func=func, task_kwargs=kwargs)
    job_id = job.pk
    transaction.on_commit(lambda: _send(job_id, func, kwargs))


def _send(job_id: int, func: str, kwargs: dict[str, Any]) -> None:
    from django_q.tasks import async_task

    task_id = async_task(func, job_id=job_id, **kwargs, task_name=f"job-{job_id}")
    Job.objects.filter(pk=job_id, task_id="").update(task_id=str(task_id or "")[:64])


class JobLeaseLost(BaseException):  # noqa: N818  (not an error: a signal to stop)
    """Raised in a worker whose job was taken from it: its heartbeat stopped long enough for
    the sweep to queue the job again (the worker was frozen, or cut off from the database), so
    another worker does the work now. The old one stops and writes nothing more on the job.

    A BaseException, like a task timeout, so that ``except Exception`` in the work does not
    take it for a failure of the work itself."""


def _lease_lost(job: Job) -> bool:
    lost = getattr(job, "_lease_lost", None)
    return lost is not None and lost.is_set()


def _save(job: Job, fields: list[str]) -> bool:
    """Store these fields of the job and push it to its owner's pages.

    A job taken by ``job_run`` holds a lease (its attempt number): the write happens only
    while the row is still running that attempt, so a worker whose job was started again
    elsewhere never writes over the new attempt. Returns whether the row was written."""
    lease = getattr(job, "_lease", None)
    if lease is None:
        job.save(update_fields=[*fields, "updated_at"])
    else:
        job.updated_at = timezone.now()
        values = {name: getattr(job, name) for name in [*fields, "updated_at"]}
        if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING,
                                  attempts=lease).update(**values):
            job._lease_lost.set()  # type: ignore[attr-defined]
            logger.warning("job %s attempt %s lost its lease; not writing %s", job.pk, lease,
                           fields)
            return False
    job_broadcast(job=job)
    return True


def job_start(*, job: Job, message: Text = "") -> None:
    """Mark a job running by hand (``job_run`` takes a job atomically instead)."""
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
    percentage reaches 100 or the message changes.

    In a worker whose job was taken from it, a report raises ``JobLeaseLost``: the work
    stops at its next step."""

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
        if _lease_lost(self.job):
            raise JobLeaseLost(self.job.pk)
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
        if not _save(self.job, fields):
            raise JobLeaseLost(self.job.pk)


def job_done(*, job: Job, message: Text = "") -> None:
    job.status = Job.Status.DONE
    job.progress = 100
    _set_message(job, message or (lambda: _("Done")))
    job.finished_at = timezone.now()
    _save(job, ["status", "progress", "message", "message_i18n", "finished_at"])


def job_fail(*, job: Job, error: Text) -> None:
    job.status = Job.Status.FAILED
    _set_error(job, error)
    _set_message(job, lambda: _("Failed"))
    job.finished_at = timezone.now()
    _save(job, ["status", "error", "error_i18n", "message", "message_i18n", "finished_at"])


def job_run(*, job_id: int, work: Callable[[Job, ProgressReporter], Text | None]) -> Job | None:
    """Run `work(job, progress)` with the job's status recorded around it.

    The job is taken atomically (waiting → running, one attempt more), so a task delivered
    twice (django-q2's ORM broker redelivers after `retry`; the sweep may have queued it again
    meanwhile) runs once at a time, and never again once the job is done or failed. An
    `ApplicationError` fails the job with its message; any other exception fails it with a
    generic message and logs the traceback.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s vanished before it ran (owner deleted?)", job_id)
        return None
    if not _claim(job):
        logger.info("job %s is %s; skipping this delivery of its task", job_id, job.status)
        return job
    with translation.override(job.language or None):
        return _run_started(job, work)


def _claim(job: Job) -> bool:
    """Take a waiting job for this worker: True, with `job` reloaded and holding the lease of
    its new attempt; False (`job` reloaded) when it is running elsewhere or finished."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now,
        started_at=Coalesce(F("started_at"), Value(now, output_field=models.DateTimeField())),
        finished_at=None, progress=0, error="", error_i18n={}, updated_at=now)
    job.refresh_from_db()
    if not taken:
        return False
    job._lease = job.attempts  # type: ignore[attr-defined]
    job._lease_lost = threading.Event()  # type: ignore[attr-defined]
    with translation.override(job.language or None):
        _set_message(job, lambda: _("Started"))
    _save(job, ["message", "message_i18n"])
    return True


class Heartbeat:
    """Writes ``heartbeat_at`` every JOB_HEARTBEAT_SECONDS from a thread while a job runs, so
    that a job whose worker was killed mid-render is recognised within seconds (``is_stale``)
    rather than when django-q2 redelivers the task (``retry``, over half an hour later).

    A beat that finds the row no longer running this worker's attempt means the job was taken
    from it: beating stops, and the work stops at its next progress (``JobLeaseLost``)."""

    def __init__(self, job: Job):
        self.job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.pk}",
                                        daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """One beat; False when the job is no longer this worker's."""
        rows = Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING)
        lease = getattr(self.job, "_lease", None)
        if lease is not None:
            rows = rows.filter(attempts=lease)
        if rows.update(heartbeat_at=timezone.now()):
            return True
        if not Job.objects.filter(pk=self.job.pk).exists():
            # Not a takeover: the row is gone (its owner was deleted), or this thread's own
            # connection cannot see it yet (work run inside a transaction that has not
            # committed, as in tests). The work's own writes decide (``_save``).
            return True
        lost = getattr(self.job, "_lease_lost", None)
        if lost is not None:
            lost.set()
        logger.warning("job %s was taken from this worker (its heartbeat had stopped)",
                       self.job.pk)
        return False

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    if not self.beat():
                        return
                except Exception:  # a missed beat is retried; the work must go on
                    logger.warning("heartbeat of job %s failed", self.job.pk, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()


class keep_alive:  # noqa: N801  (used as a context manager, like a function)
    """Call `touch()` every JOB_HEARTBEAT_SECONDS from a thread while the block runs: the
    heartbeat of a claim other than a job's (a shared download), which a worker that died
    stops, so that another can take the claim over after JOB_STALE_AFTER."""

    def __init__(self, touch: Callable[[], object]):
        self.touch = touch
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keep-alive", daemon=True)

    def __enter__(self) -> keep_alive:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.touch()
                except Exception:  # a missed beat is retried; the work must go on
                    logger.warning("keep-alive beat failed", exc_info=True)
                    close_old_connections()
        finally:
            connection.close()


def _run_started(job: Job, work: Callable[[Job, ProgressReporter], Text | None]) -> Job:
    try:
        with Heartbeat(job):
            message = work(job, ProgressReporter(job))
    except JobLeaseLost:
        # Another worker has the job now: the row, and what it makes, are that worker's.
        logger.warning("job %s (%s) attempt %s was started again elsewhere; this worker stops",
                       job.pk, job.kind, getattr(job, "_lease", None))
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


def job_sweep_stale(*, user: User | None = None, redo: bool = True) -> list[Job]:
    """Deal with every running job whose worker stopped beating (``Job.is_stale``): queue it
    again while it has attempts left, else fail it and tell the apps that own its work
    (``job_take_over``). Returns the jobs dealt with.

    Run every JOB_SWEEP_SECONDS in every worker process (``Sweeper``), every minute by the
    scheduled task, and before a user's Retry with ``redo=False``: the user asked for a new
    run, so the dead one is failed and the Retry starts at once."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER)
    running = Job.objects.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True),
                                 status=Job.Status.RUNNING)
    if user is not None:
        running = running.filter(user=user)
    return [job for job in running if job.is_stale and job_take_over(job=job, redo=redo)]


def job_take_over(*, job: Job, redo: bool = True) -> bool:
    """Queue a dead worker's job again; or fail it (and send ``job_abandoned``) after its last
    attempt (JOB_MAX_ATTEMPTS), or when it cannot be redone (a row from before jobs
    remembered their task), or with ``redo=False``.

    `job` is the row as the sweep read it: the change is made only while the row is still
    exactly that (running, the same attempt and heartbeat), so of several sweeps racing one
    wins, and a slow worker that beat meanwhile keeps its job. Returns whether this call
    changed the row."""
    again = redo and bool(job.task_func) and job.attempts < settings.JOB_MAX_ATTEMPTS
    seen = {"status": Job.Status.RUNNING, "attempts": job.attempts,
            "heartbeat_at": job.heartbeat_at}
    with translation.override(job.language or None):
        if again:
            job.status = Job.Status.PENDING
            job.progress = 0
            job.heartbeat_at = None
            job.task_id = ""
            _set_message(job, lambda: str(RESTARTING))
            fields = ["status", "progress", "heartbeat_at", "task_id", "message", "message_i18n"]
        else:
            job.status = Job.Status.FAILED
            _set_error(job, lambda: str(ABANDONED))
            _set_message(job, lambda: _("Failed"))
            job.finished_at = timezone.now()
            fields = ["status", "error", "error_i18n", "message", "message_i18n", "finished_at"]
        job.updated_at = timezone.now()
        values = {name: getattr(job, name) for name in [*fields, "updated_at"]}
        if not Job.objects.filter(pk=job.pk, **seen).update(**values):
            job.refresh_from_db()
            return False
        job_broadcast(job=job)
        if not again:
            logger.warning("job %s (%s) lost its worker on attempt %s; failing it",
                           job.pk, job.kind, job.attempts)
            job_abandoned.send(sender=Job, job=job)
            return True
        logger.warning("job %s (%s) lost its worker on attempt %s; queueing it again",
                       job.pk, job.kind, job.attempts)
    transaction.on_commit(lambda: _send_again(job))
    return True


def _send_again(job: Job) -> None:
    try:
        _send(job.pk, job.task_func, job.task_kwargs)
    except Exception:  # the broker is down: nobody would ever run it
        logger.exception("job %s could not be queued again; failing it", job.pk)
        with translation.override(job.language or None):
            if Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).exists():
                job_fail(job=job, error=lambda: str(ABANDONED))
                job_abandoned.send(sender=Job, job=job)


def job_resend_waiting() -> list[Job]:
    """Queue the task of every job that has waited JOB_RESEND_AFTER seconds again (once per
    that time), and return those jobs.

    A django-q2 cluster takes tasks from the Redis broker ahead of its workers (up to its
    `queue_limit`): if it dies, the tasks it held are gone while their jobs still wait. A
    second copy is harmless, because a job is taken only once (``job_run``): whichever
    delivery comes first does the work, the other one does nothing."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER)
    resent = []
    for job in Job.objects.filter(status=Job.Status.PENDING, updated_at__lt=cutoff
                                  ).exclude(task_func="")[:100]:
        # Claimed by bumping updated_at, so of several sweeps one sends it.
        if Job.objects.filter(pk=job.pk, status=Job.Status.PENDING,
                              updated_at=job.updated_at).update(updated_at=timezone.now()):
            logger.info("job %s (%s) has waited %s s; queueing its task again", job.pk,
                        job.kind, settings.JOB_RESEND_AFTER)
            try:
                _send(job.pk, job.task_func, job.task_kwargs)
            except Exception:  # the broker is down: the next sweep tries again
                logger.warning("job %s could not be queued again", job.pk, exc_info=True)
            resent.append(job)
    return resent


class Sweeper:
    """A thread that runs ``job_sweep_stale`` at once and then every JOB_SWEEP_SECONDS,
    started by `manage.py worker` beside its django-q2 cluster: while any worker process
    lives, a dead one's job is noticed within JOB_STALE_AFTER + JOB_SWEEP_SECONDS."""

    def __init__(self, interval: float | None = None):
        self.interval = settings.JOB_SWEEP_SECONDS if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def sweep(self) -> int:
        """One sweep; never raises (the next one tries again). Returns the jobs dealt with."""
        try:
            return len(job_sweep_stale()) + len(job_resend_waiting())
        except Exception:
            logger.exception("the sweep of stale jobs failed")
            return 0

    def _run(self) -> None:
        try:
            while True:
                close_old_connections()  # a broken or too old connection is opened anew
                self.sweep()
                if self._stop.wait(self.interval):
                    return
        finally:
            connection.close()


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
