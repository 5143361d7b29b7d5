"""Crashed and stopped workers (issue 13, item 4; issue 14, item 4): a dead worker's job is
started again, and failed with a clear message (and can be retried) only after its last
attempt; a task timeout fails the job, ffmpeg dies with its worker, working folders of dead
workers are removed, and a failed storage write fails the clip."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_q.exceptions import TimeoutException

from clips.models import Clip
from common.files import remove_orphaned_temp_dirs
from jobs.models import Job
from jobs.services import job_create, job_run, job_sweep_stale
from jobs.tasks import sweep_stale_jobs
from videos.models import SourceVideo, Video

pytestmark = pytest.mark.django_db


def _processing_video(user, *, beat_ago: float, attempts: int = 1,
                      task_func: str = "") -> tuple[Video, Job]:
    source = SourceVideo.objects.create(kind="upload", uploaded_by=user, title="v",
                                        duration=60, file_status="ready")
    video = Video.objects.create(user=user, source=source, status=Video.Status.PROCESSING)
    job = job_create(user=user, kind=Job.Kind.VIDEO_PROCESS, target=f"video:{video.pk}")
    beat = timezone.now() - timedelta(seconds=beat_ago)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=beat, heartbeat_at=beat, attempts=attempts,
        task_func=task_func, task_kwargs={"video_id": video.pk} if task_func else {})
    return video, job


def test_a_dead_workers_job_is_started_again_then_failed_after_its_last_attempt(
        alice, settings, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append(func))
    settings.JOB_MAX_ATTEMPTS = 3
    stale = settings.JOB_STALE_AFTER + 1
    video, job = _processing_video(alice, beat_ago=stale, task_func="clips.tasks.process_video")
    clip = Clip.objects.create(user=alice, source=video.source, kind="comment", start=1, end=3,
                               status=Clip.Status.RENDERING)
    for attempt in (1, 2, 3):
        beat = timezone.now() - timedelta(seconds=stale)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=attempt,
                                             heartbeat_at=beat)
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_stale_jobs() == 1
        job.refresh_from_db()
        video.refresh_from_db()
        clip.refresh_from_db()
        if attempt < 3:  # queued again; what it makes is left for the next attempt
            assert job.status == Job.Status.PENDING and "starting again" in job.message
            assert video.status == Video.Status.PROCESSING
            assert clip.status == Clip.Status.RENDERING
            assert sent == ["clips.tasks.process_video"] * attempt
    assert job.status == Job.Status.FAILED and "stopped unexpectedly" in job.error
    assert video.status == Video.Status.FAILED and "stopped unexpectedly" in video.error
    assert clip.status == Clip.Status.FAILED
    assert len(sent) == 2


def test_a_dead_workers_job_is_retried_at_once(api_client, alice, settings):
    video, job = _processing_video(alice, beat_ago=settings.JOB_STALE_AFTER + 5)
    Clip.objects.create(user=alice, source=video.source, kind="comment", start=1, end=3,
                        status=Clip.Status.RENDERING)
    api_client.force_authenticate(alice)
    response = api_client.post(f"/api/v1/videos/{video.pk}/retry/")
    assert response.status_code in (200, 201, 202), response.content
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "stopped unexpectedly" in job.error
    assert Clip.objects.get().status == Clip.Status.FAILED
    assert Job.objects.filter(target=f"video:{video.pk}").count() == 2  # the retry's job


def test_a_live_job_is_still_refused_a_second_run(api_client, alice):
    video, job = _processing_video(alice, beat_ago=1)
    api_client.force_authenticate(alice)
    response = api_client.post(f"/api/v1/videos/{video.pk}/retry/")
    assert response.status_code == 400 and "already being processed" in response.json()["message"]
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_the_scheduled_sweep_fails_stale_jobs_that_cannot_be_redone(alice, settings):
    # A row from before jobs remembered their task: failed, as it always was.
    video, job = _processing_video(alice, beat_ago=settings.JOB_STALE_AFTER + 5)
    live, live_job = _processing_video(alice, beat_ago=1)
    assert sweep_stale_jobs() == 1
    video.refresh_from_db()
    job.refresh_from_db()
    live_job.refresh_from_db()
    assert video.status == Video.Status.FAILED and "stopped unexpectedly" in video.error
    assert job.status == Job.Status.FAILED and live_job.status == Job.Status.RUNNING
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="jobs.tasks.sweep_stale_jobs", minutes=1).exists()


def test_a_task_timeout_fails_the_job_instead_of_leaving_it_running(alice):
    job = job_create(user=alice, kind=Job.Kind.DEMO)

    def work(job, progress):
        raise TimeoutException("Task exceeded maximum timeout value (1800 seconds)")

    with pytest.raises(TimeoutException):
        job_run(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "took too long" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_the_work_runs(alice, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = job_create(user=alice, kind=Job.Kind.DEMO)
    beats = []

    def work(job, progress):
        first = Job.objects.get(pk=job.pk).heartbeat_at
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            beat = Job.objects.get(pk=job.pk).heartbeat_at
            if beat > first:
                beats.append(beat)
                break
            time.sleep(0.05)
        return "ok"

    job_run(job_id=job.pk, work=work)
    assert beats, "no heartbeat was written while the work ran"
    assert job_sweep_stale() == []


CHILD = textwrap.dedent("""
    import sys, time
    from render.process import spawn
    started = []
    spawn([sys.argv[1], "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
           "testsrc=s=64x48:r=5", "-f", "null", "-"], what="endless", started=started)
    print(started[0][1].pid, flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_ffmpeg_dies_with_a_killed_worker(tmp_path):
    from render import find_ffmpeg

    worker = subprocess.Popen([sys.executable, "-c", CHILD, find_ffmpeg()],
                              stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    ffmpeg_pid = int(worker.stdout.readline())
    assert _alive(ffmpeg_pid)
    os.kill(worker.pid, signal.SIGKILL)  # what the OOM killer or `kill -9` does
    worker.wait()
    deadline = time.monotonic() + 10
    while _alive(ffmpeg_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _alive(ffmpeg_pid)
    if alive:
        os.kill(ffmpeg_pid, signal.SIGKILL)
    assert not alive, "ffmpeg outlived its worker"


def test_working_folders_of_dead_workers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    orphan = tmp_path / f"shortory-render-{int(dead.stdout)}-abc"
    (orphan / ".render-x").mkdir(parents=True)
    (orphan / ".render-x" / "part.mp4").write_bytes(b"x" * 1000)
    mine = tmp_path / f"shortory-render-{os.getpid()}-def"
    mine.mkdir()
    other = tmp_path / "something-else-1-x"
    other.mkdir()
    assert remove_orphaned_temp_dirs(str(tmp_path)) == [orphan.name]
    assert not orphan.exists() and mine.exists() and other.exists()


def test_a_failed_storage_write_fails_the_clip(alice, sample_video, monkeypatch, settings):
    from django.core.files.storage import FileSystemStorage

    from clips.services.rendering import clip_render

    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="v",
                                        duration=60, file_status="ready")
    clip = Clip.objects.create(user=alice, source=source, kind="comment", start=1, end=3)
    real_save = FileSystemStorage._save

    def full_disk(self, name, content):
        if name.endswith(".jpg"):
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    clip_render(clip=clip, path=sample_video)
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED and "could not be stored" in clip.error
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))  # no orphan
