"""No lost work: a job is taken atomically, a dead worker's job is queued again (up to
JOB_MAX_ATTEMPTS runs) and then failed, racing sweeps take it once, and a slow worker that
comes back after its job was taken writes nothing over the new attempt.

The clock is moved by writing `heartbeat_at`; nothing here sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from jobs import services
from jobs.models import Job
from jobs.signals import job_abandoned

pytestmark = pytest.mark.django_db

FUNC = "jobs.tasks.demo_count"


@pytest.fixture
def sent(monkeypatch):
    """What was handed to django-q2's async_task."""
    calls: list[tuple[str, dict]] = []

    def fake_async_task(func, **kwargs):
        calls.append((func, kwargs))
        return f"task-{len(calls)}"

    monkeypatch.setattr("django_q.tasks.async_task", fake_async_task)
    return calls


@pytest.fixture
def abandoned():
    received: list[int] = []

    def receiver(sender, job, **kwargs):
        received.append(job.pk)

    job_abandoned.connect(receiver, dispatch_uid="test_redo_abandoned")
    yield received
    job_abandoned.disconnect(dispatch_uid="test_redo_abandoned")


def _queued(user, django_capture_on_commit_callbacks, **kwargs) -> Job:
    job = services.job_create(user=user, kind=Job.Kind.DEMO)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_enqueue(job=job, func=FUNC, **(kwargs or {"steps": 2, "delay": 0}))
    return job


def _running(job: Job, *, attempts: int, beat_ago: float) -> Job:
    """The row as a worker that took it `attempts` times and last beat `beat_ago` s ago left it."""
    beat = timezone.now() - timedelta(seconds=beat_ago)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=attempts,
                                         started_at=beat, heartbeat_at=beat)
    return Job.objects.get(pk=job.pk)


def test_enqueue_remembers_the_task_and_its_arguments(alice, sent,
                                                      django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks, steps=3, delay=0.5)
    job.refresh_from_db()
    assert (job.task_func, job.task_kwargs) == (FUNC, {"steps": 3, "delay": 0.5})
    assert sent == [(FUNC, {"job_id": job.pk, "steps": 3, "delay": 0.5,
                            "task_name": f"job-{job.pk}"})]
    assert job.task_id == "task-1"


def test_enqueue_refuses_arguments_that_cannot_be_stored(alice, sent):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    with pytest.raises(TypeError, match="JSON"):
        services.job_enqueue(job=job, func=FUNC, when=timezone.now())
    job.refresh_from_db()
    assert job.task_func == "" and sent == []


def test_a_job_is_taken_once_and_never_redone_when_done(alice):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    calls = []
    services.job_run(job_id=job.pk, work=lambda j, p: calls.append(j.attempts) or "first")
    services.job_run(job_id=job.pk, work=lambda j, p: calls.append(j.attempts) or "second")
    job.refresh_from_db()
    assert calls == [1]
    assert (job.status, job.attempts, job.message) == (Job.Status.DONE, 1, "first")


@pytest.mark.parametrize("status", [Job.Status.RUNNING, Job.Status.FAILED])
def test_a_duplicate_delivery_does_not_run_a_running_or_failed_job(alice, status):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=status, attempts=1, heartbeat_at=now,
                                         message="Half way", progress=40)
    calls = []
    returned = services.job_run(job_id=job.pk, work=lambda j, p: calls.append(1))
    job.refresh_from_db()
    assert calls == [] and returned.pk == job.pk
    assert (job.status, job.attempts, job.progress, job.message, job.heartbeat_at) == (
        status, 1, 40, "Half way", now)


def test_a_stale_job_is_queued_again_with_its_task(alice, sent, abandoned, settings,
                                                  django_capture_on_commit_callbacks):
    with translation.override("ko"):
        job = _queued(alice, django_capture_on_commit_callbacks)
    sent.clear()
    _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert [j.pk for j in services.job_sweep_stale()] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.heartbeat_at, job.progress) == (
        Job.Status.PENDING, 1, None, 0)
    assert job.message_i18n["en"] == "The worker doing this stopped; starting again"
    assert job.message == job.message_i18n["ko"] != job.message_i18n["en"]  # its page's language
    assert job.error == "" and abandoned == []
    assert sent == [(FUNC, {"job_id": job.pk, "steps": 2, "delay": 0,
                            "task_name": f"job-{job.pk}"})]
    assert job.task_id == "task-1"  # the new task's

    services.job_run(job_id=job.pk, work=lambda j, p: "again")  # the new delivery
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (Job.Status.DONE, 2, "again")


def test_a_job_is_not_stale_before_its_time(alice, sent, settings,
                                            django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks)
    sent.clear()
    _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER - 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_sweep_stale() == []
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING and sent == []


def test_after_the_last_attempt_a_stale_job_is_failed(alice, sent, abandoned, settings,
                                                     django_capture_on_commit_callbacks):
    settings.JOB_MAX_ATTEMPTS = 3
    job = _queued(alice, django_capture_on_commit_callbacks)
    sent.clear()
    _running(job, attempts=3, beat_ago=settings.JOB_STALE_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert [j.pk for j in services.job_sweep_stale()] == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert "stopped unexpectedly" in job.error
    assert abandoned == [job.pk] and sent == []


def test_an_old_row_that_does_not_know_its_task_is_failed(alice, sent, abandoned, settings,
                                                        django_capture_on_commit_callbacks):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)  # no task_func
    _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_sweep_stale()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and abandoned == [job.pk] and sent == []


def test_of_two_sweeps_racing_one_takes_the_job(alice, sent, settings,
                                               django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks)
    sent.clear()
    first = _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)
    second = Job.objects.get(pk=job.pk)  # what another worker's sweep read at the same time
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_take_over(job=first) is True
        assert services.job_take_over(job=second) is False
    assert len(sent) == 1
    assert second.status == Job.Status.PENDING  # reloaded: it sees what happened


def test_a_worker_that_beat_after_the_sweep_looked_keeps_its_job(
        alice, sent, settings, django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks)
    sent.clear()
    seen = _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # it was only slow
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_take_over(job=seen) is False
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING and sent == []


def test_a_slow_worker_coming_back_writes_nothing_over_the_new_attempt(
        alice, sent, settings, django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks)
    steps = []

    def new_attempt(job, progress):
        progress(60, "New attempt at work")
        return "Done by the new attempt"

    def slow_worker(job, progress):
        progress(20, "Old attempt at work")
        # It freezes; its heartbeat goes stale, a sweep queues the job again and another
        # worker takes it and finishes it.
        Job.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER + 1))
        with django_capture_on_commit_callbacks(execute=True):
            assert len(services.job_sweep_stale()) == 1
        steps.append(Job.objects.get(pk=job.pk).status)
        services.job_run(job_id=job.pk, work=new_attempt)
        steps.append(Job.objects.get(pk=job.pk).status)
        # It wakes up: its heartbeat finds the job is not its own any more...
        assert services.Heartbeat(job).beat() is False
        # ... and its next progress report stops it before it writes anything.
        progress(90, "Old attempt, late")
        steps.append("not stopped")
        return "Done by the old attempt"

    services.job_run(job_id=job.pk, work=slow_worker)
    row = Job.objects.get(pk=job.pk)
    assert steps == [Job.Status.PENDING, Job.Status.DONE]
    assert (row.status, row.attempts, row.progress, row.message) == (
        Job.Status.DONE, 2, 100, "Done by the new attempt")


def test_a_slow_workers_result_is_not_written_over_a_running_attempt(alice):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)

    def work(job, progress):
        progress(30, "Old attempt")
        # Meanwhile the job was queued again and taken by attempt 2, still running.
        Job.objects.filter(pk=job.pk).update(attempts=2, message="Attempt 2 at work",
                                             progress=10)
        return "Old attempt finished"  # its job_done must not land

    services.job_run(job_id=job.pk, work=work)
    row = Job.objects.get(pk=job.pk)
    assert (row.status, row.attempts, row.progress, row.message) == (
        Job.Status.RUNNING, 2, 10, "Attempt 2 at work")


def test_a_job_that_cannot_be_queued_again_is_failed(alice, abandoned, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    Job.objects.filter(pk=job.pk).update(task_func=FUNC, task_kwargs={"steps": 1})
    _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)

    def broker_down(func, **kwargs):
        raise ConnectionError("redis is gone")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_sweep_stale()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and abandoned == [job.pk]


def test_the_sweeper_sweeps_and_survives_a_failing_sweep(alice, sent, settings, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    job = _queued(alice, django_capture_on_commit_callbacks)
    _running(job, attempts=1, beat_ago=settings.JOB_STALE_AFTER + 1)
    sweeper = services.Sweeper()
    assert sweeper.interval == settings.JOB_SWEEP_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep() == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "job_sweep_stale", broken)
    assert sweeper.sweep() == 0  # logged; the next sweep tries again


def test_a_dead_worker_is_noticed_well_within_a_minute(settings):
    # A heartbeat at most JOB_HEARTBEAT_SECONDS old when the worker died, stale
    # JOB_STALE_AFTER later, seen by the next sweep at most JOB_SWEEP_SECONDS after that.
    assert settings.JOB_STALE_AFTER >= 2 * settings.JOB_HEARTBEAT_SECONDS
    assert settings.JOB_STALE_AFTER + settings.JOB_SWEEP_SECONDS <= 30
    assert settings.JOB_MAX_ATTEMPTS == 3


def test_a_job_left_waiting_by_a_dead_cluster_has_its_task_sent_again(
        alice, sent, settings, django_capture_on_commit_callbacks):
    # A cluster takes tasks from the Redis broker ahead of its workers: one killed with the
    # task in hand leaves the job waiting for ever, unless the task is sent again.
    job = _queued(alice, django_capture_on_commit_callbacks)
    fresh = _queued(alice, django_capture_on_commit_callbacks)
    old_row = services.job_create(user=alice, kind=Job.Kind.DEMO)  # knows no task
    sent.clear()
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER + 1)
    Job.objects.filter(pk__in=[job.pk, old_row.pk]).update(updated_at=long_ago)
    assert [j.pk for j in services.job_resend_waiting()] == [job.pk]
    assert sent == [(FUNC, {"job_id": job.pk, "steps": 2, "delay": 0,
                            "task_name": f"job-{job.pk}"})]
    assert services.job_resend_waiting() == []  # once per JOB_RESEND_AFTER, not every sweep
    assert len(sent) == 1 and fresh.pk not in [kw["job_id"] for _, kw in sent]

    # Both deliveries arrive: the first does the work, the second nothing.
    calls = []
    for _ in range(2):
        services.job_run(job_id=job.pk, work=lambda j, p: calls.append(j.attempts))
    assert calls == [1]
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


def test_a_beat_that_cannot_see_its_row_does_not_take_the_job_away(alice):
    """A heartbeat thread whose connection does not see the job's row (deleted with its owner,
    or not committed yet: work run inside an open transaction) is not a takeover; only a
    visible row that runs another attempt is."""
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    seen: list[object] = []

    def work(job, progress):
        Job.objects.filter(pk=job.pk).delete()
        seen.append(services.Heartbeat(job).beat())
        seen.append(job._lease_lost.is_set())
        return "done"

    services.job_run(job_id=job.pk, work=work)
    assert seen == [True, False]
