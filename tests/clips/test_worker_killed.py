"""A worker killed mid-render loses nothing: no half file is ever visible, and the job it was
running is queued again by the sweep, whose delivery finishes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clips.models import Clip
from jobs.models import Job
from tests.media import comments_jsonl, make_video
from videos import services
from videos.models import Video
from videos.options import VideoOptions

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_killed_render_leaves_no_file_in_place(tmp_path):
    source = make_video(tmp_path / "long.mp4", seconds=40, size="1280x720")
    out = tmp_path / "gallery" / "clip.mp4"
    code = (
        "import sys; from render import render_clip;"
        f"render_clip({str(source)!r}, 1.3, 38.7, {str(out)!r}, aspect='9:16')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(out.parent.glob(".render-*/*")):
        time.sleep(0.05)
    assert any(out.parent.glob(".render-*/*")), "the render never started writing"
    os.kill(proc.pid, signal.SIGKILL)  # as the OOM killer or a crash would
    proc.wait()
    assert not out.exists()
    assert not out.with_suffix(".jpg").exists()


@pytest.mark.django_db
def test_redelivered_job_finishes_clips_left_rendering(alice, tmp_path, monkeypatch, settings,
                                                      django_capture_on_commit_callbacks):
    made = make_video(tmp_path / "v.mp4", seconds=30)
    upload = SimpleUploadedFile("v.mp4", made.read_bytes())
    comments = SimpleUploadedFile("c.jsonl", comments_jsonl({5: 3, 20: 2}))
    with django_capture_on_commit_callbacks(execute=True):
        video, job = services.video_add_from_upload(
            user=alice, upload=upload, comments_file=comments,
            options=VideoOptions(top_k=2, clip_before=2, clip_after=2))
    # Simulate the kill: the job was running, one clip was mid-render with no file yet.
    clip = Clip.objects.filter(user=alice).order_by("moment__rank").first()
    clip.file.delete(save=False)
    clip.thumbnail.delete(save=False)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.RENDERING, file="", thumbnail="")
    beat = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=70,
                                         heartbeat_at=beat)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROCESSING)
    from clips.selectors import clips_for_user

    assert clips_for_user(user=alice).filter(status="ready").count() == 1  # never the half one

    from clips.tasks import process_video
    from jobs.services import job_sweep_stale

    sent = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        assert [j.pk for j in job_sweep_stale()] == [job.pk]  # its heartbeat stopped
    assert sent == [("clips.tasks.process_video",
                     {"job_id": job.pk, "video_id": video.pk, "task_name": f"job-{job.pk}"})]
    process_video(job_id=job.pk, video_id=video.pk)  # the sweep's delivery
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    clips = Clip.objects.filter(user=alice, status="ready")
    assert clips.count() == 2
    assert all(Path(c.file.path).stat().st_size > 1000 for c in clips)
