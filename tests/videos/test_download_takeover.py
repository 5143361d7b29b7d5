"""A shared download whose worker died is taken over after JOB_STALE_AFTER (the job started
again after that death must not wait half an hour for it); a live one is waited for. The
clock is moved by writing `updated_at`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from videos import services
from videos.models import SourceVideo

pytestmark = pytest.mark.django_db


class Waited(Exception):
    pass


@pytest.fixture
def downloads(monkeypatch):
    calls: list[str] = []

    class FakeKeepAlive:
        def __init__(self, touch):
            self.touch = touch

        def __enter__(self):
            self.touch()  # one beat, at once
            return self

        def __exit__(self, *exc):
            return None

    def fake_download(*, source, progress):
        calls.append(SourceVideo.objects.get(pk=source.pk).file_status)
        return "the file"

    def no_waiting(seconds):
        raise Waited

    monkeypatch.setattr(services, "keep_alive", FakeKeepAlive)
    monkeypatch.setattr(services, "_download_source", fake_download)
    monkeypatch.setattr(services.time, "sleep", no_waiting)
    return calls


def _downloading(ago: float) -> SourceVideo:
    source = SourceVideo.objects.create(kind=SourceVideo.Kind.YOUTUBE, youtube_id="dQw4w9WgXcQ",
                                        file_status=SourceVideo.FileStatus.DOWNLOADING)
    SourceVideo.objects.filter(pk=source.pk).update(
        updated_at=timezone.now() - timedelta(seconds=ago))
    return SourceVideo.objects.get(pk=source.pk)


def test_a_dead_workers_download_is_taken_over(downloads, settings):
    source = _downloading(settings.JOB_STALE_AFTER + 1)
    before = source.updated_at
    assert services.source_ensure_file(source=source, progress=lambda *a: None) == "the file"
    assert downloads == [SourceVideo.FileStatus.DOWNLOADING]
    assert SourceVideo.objects.get(pk=source.pk).updated_at > before  # the new owner beats


def test_a_live_download_is_waited_for(downloads, settings):
    source = _downloading(settings.JOB_STALE_AFTER - 5)
    with pytest.raises(Waited):
        services.source_ensure_file(source=source, progress=lambda *a: None)
    assert downloads == []
