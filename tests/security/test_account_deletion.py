"""Deleting an account while its work runs (issue 13, item 10): a clip that finishes rendering
after its account went leaves no files, and the account's django-q2 rows go with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage

import render
from accounts.models import User
from accounts.services import user_delete_with_data
from clips.models import Clip
from clips.services.rendering import clip_render
from jobs.models import Job
from jobs.services import job_create
from videos.models import SourceVideo

pytestmark = pytest.mark.django_db


def test_a_clip_whose_account_is_deleted_mid_render_leaves_no_files(alice, sample_video,
                                                                      settings, monkeypatch):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="v",
                                        duration=60, file_status="ready")
    clip = Clip.objects.create(user=alice, source=source, kind="comment", start=1, end=3)
    real_render = render.render_clip

    def render_while_the_account_goes(*args, **kwargs):
        result = real_render(*args, **kwargs)
        User.objects.filter(pk=alice.pk).delete()  # "delete my data", from another request
        return result

    monkeypatch.setattr(render, "render_clip", render_while_the_account_goes)
    clip_render(clip=clip, path=sample_video)
    assert not Clip.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_accounts_task_rows_go_with_it(alice, bob):
    mine = job_create(user=alice, kind=Job.Kind.DEMO)
    theirs = job_create(user=bob, kind=Job.Kind.DEMO)
    now = timezone.now()
    for job, key in ((mine, "a" * 32), (theirs, "b" * 32)):
        Task.objects.create(id=key, name=f"job-{job.pk}", func="jobs.tasks.demo_count",
                            started=now, stopped=now, success=True)
        OrmQ.objects.create(key="shortory", lock=now, payload=SignedPackage.dumps(
            {"id": key[:31] + "q", "name": f"job-{job.pk}", "func": "jobs.tasks.demo_count",
             "args": (), "kwargs": {"job_id": job.pk}}))
    user_delete_with_data(user=alice)
    assert list(Task.objects.values_list("name", flat=True)) == [f"job-{theirs.pk}"]
    assert [q.task["name"] for q in OrmQ.objects.all()] == [f"job-{theirs.pk}"]
