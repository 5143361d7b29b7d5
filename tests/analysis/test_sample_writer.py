"""The live sockets of one process store their samples together: batches that come due while a
write is in progress go in one transaction, and every socket learns when its own are stored."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from analysis import consumers, services
from analysis.consumers import SampleWriter
from analysis.models import EmotionSample, WatchSession
from emotion.moments import EmotionSample as Sample
from videos.models import SourceVideo, Video

pytestmark = [pytest.mark.django_db(transaction=True)]


def samples(n: int, start: float = 0.0) -> list[Sample]:
    probabilities = {"happy": 0.6, "sad": 0.1, "angry": 0.1, "neutral": 0.1, "surprise": 0.1}
    return [Sample(t=start + i * 0.25, probabilities=probabilities, attention=0.8,
                   face_found=True) for i in range(n)]


@pytest.fixture
def sessions(alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="clip",
                                        duration=120, file_status="ready")
    video = Video.objects.create(user=alice, source=source)
    return [WatchSession.objects.create(user=alice, video=video, capture_fps=4).pk
            for _ in range(3)]


async def test_batches_due_together_are_written_in_one_transaction(sessions, monkeypatch):
    calls: list[list[int]] = []
    real = services.sessions_add_samples

    def recording(*, batches):
        batches = list(batches)
        calls.append([session_id for session_id, _, _ in batches])
        return real(batches=batches)

    monkeypatch.setattr(consumers.services, "sessions_add_samples", recording)
    writer = SampleWriter()
    a, b, c = sessions
    await asyncio.gather(writer.write(a, samples(8), 0), writer.write(b, samples(5), 2),
                         writer.write(c, samples(3), 0))
    assert calls == [[a, b, c]]
    # A batch that comes due while a write is in progress waits for the next one.
    first = asyncio.ensure_future(writer.write(a, samples(2, 10.0), 0))
    while len(calls) < 2:  # until the first write is in the database thread
        await asyncio.sleep(0.01)
    await writer.write(b, samples(1, 10.0), 0)
    await first
    assert calls[1:] == [[a], [b]]

    rows = await database_sync_to_async(
        lambda: {pk: (EmotionSample.objects.filter(session_id=pk).count(),
                      WatchSession.objects.get(pk=pk).frames_received,
                      WatchSession.objects.get(pk=pk).frames_dropped) for pk in sessions})()
    assert rows == {a: (10, 10, 0), b: (6, 6, 2), c: (3, 3, 0)}


async def test_a_failed_write_reaches_every_socket_in_it(sessions, monkeypatch):
    def broken(*, batches):
        raise RuntimeError("disk full")

    monkeypatch.setattr(consumers.services, "sessions_add_samples", broken)
    writer = SampleWriter()
    results = await asyncio.gather(writer.write(sessions[0], samples(2), 0),
                                   writer.write(sessions[1], samples(2), 0),
                                   return_exceptions=True)
    assert [str(r) for r in results] == ["disk full", "disk full"]
