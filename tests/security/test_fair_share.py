"""Limits per session and per user, not per socket (issue 13, item 8): one live socket per
watch session, a cap on sockets per account, samples per session bounded, and one viewer
cannot take the inference queue from the others."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from analysis import inference
from analysis.inference import InferenceWorker, Overloaded
from analysis.models import EmotionSample, WatchSession
from analysis.services import session_sample_allowance
from videos.models import SourceVideo, Video

from .ws import frame, open_socket, receive_until, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fake_recognizer(settings):
    settings.EMOTION_RECOGNIZER = "emotion.FakeRecognizer"
    inference.reset_inference_worker()
    yield
    inference.reset_inference_worker()


def _session(user, duration=120) -> WatchSession:
    source = SourceVideo.objects.create(kind="upload", uploaded_by=user, title="clip",
                                        duration=duration, file_status="ready")
    video = Video.objects.create(user=user, source=source)
    return WatchSession.objects.create(user=user, video=video, capture_fps=4)


async def _closed_with(ws) -> int:
    while True:
        output = await ws.receive_output(5)
        if output["type"] == "websocket.close":
            return output["code"]


async def test_six_sockets_on_one_session_leave_one_live(alice):
    session = await database_sync_to_async(_session)(alice)
    cookie = await session_cookie(alice)
    sockets = []
    for _ in range(6):
        ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", cookie=cookie,
                                             origin="http://testserver")
        assert connected
        sockets.append(ws)
    for ws in sockets[:-1]:
        assert await _closed_with(ws) == 4409  # replaced by the newer socket
    live = sockets[-1]
    await receive_until(live, "hello")
    await live.send_to(bytes_data=frame(1.0))
    assert (await receive_until(live, "analysis"))["t"] == 1.0
    await live.disconnect()


async def test_sockets_per_account_are_capped(alice, settings):
    settings.MAX_JOB_SOCKETS_PER_USER = 5
    cookie = await session_cookie(alice)
    opened = []
    for _ in range(5):
        ws, connected, _ = await open_socket("/ws/jobs/", cookie=cookie,
                                             origin="http://testserver")
        assert connected
        opened.append(ws)
    ws, connected, code = await open_socket("/ws/jobs/", cookie=cookie,
                                            origin="http://testserver")
    assert not connected and code == 4429
    await opened[0].disconnect()
    ws, connected, _ = await open_socket("/ws/jobs/", cookie=cookie, origin="http://testserver")
    assert connected  # a closed one frees its place
    for other in opened[1:] + [ws]:
        await other.disconnect()


async def test_watch_sessions_per_account_are_capped(alice, settings):
    settings.MAX_SESSION_SOCKETS_PER_USER = 2
    cookie = await session_cookie(alice)
    sessions = [await database_sync_to_async(_session)(alice) for _ in range(3)]
    opened = []
    for session in sessions[:2]:
        ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", cookie=cookie,
                                             origin="http://testserver")
        assert connected
        opened.append(ws)
    ws, connected, _ = await open_socket(f"/ws/sessions/{sessions[2].pk}/", cookie=cookie,
                                         origin="http://testserver")
    assert (await receive_until(ws, "error"))["code"] == "too_many_sockets"
    assert await _closed_with(ws) == 4429
    for other in opened:
        await other.disconnect()


def test_rest_samples_per_session_are_bounded(alice):
    session = _session(alice, duration=10)
    allowance = session_sample_allowance(session=session)
    api = APIClient()
    api.force_authenticate(alice)
    sample = {"t": 1.0, "probabilities": {"happy": 1.0}, "attention": 0.5, "face_found": True}
    stored = 0
    codes = []
    for _ in range(allowance // 2000 + 2):
        response = api.post(f"/api/v1/sessions/{session.pk}/samples/",
                            {"samples": [sample] * 2000}, format="json")
        codes.append(response.status_code)
        if response.status_code == 201:
            stored += response.json()["stored"]
    assert codes[-1] == 400 and stored <= allowance
    assert EmotionSample.objects.filter(session=session).count() == stored


class SlowRecognizer:
    def analyze(self, frames, tracks=None):
        import time

        from emotion import FrameAnalysis

        time.sleep(0.05)
        return [FrameAnalysis(face_found=False) for _ in frames]


async def test_a_flooding_viewer_cannot_take_the_queue_from_others():
    from .ws import jpeg_bytes

    worker = InferenceWorker(SlowRecognizer, threads=1, max_batch=4, max_queue=64,
                             max_pending_per_viewer=4, max_age=10)
    flooder, viewer = object(), object()
    jpeg = jpeg_bytes()
    flood = [asyncio.ensure_future(worker.submit(jpeg, flooder)) for _ in range(50)]
    await asyncio.sleep(0)
    mine = await worker.submit(jpeg, viewer)  # not refused: the flood used its own share
    assert mine.face_found is False
    results = await asyncio.gather(*flood, return_exceptions=True)
    refused = sum(isinstance(r, Overloaded) for r in results)
    assert refused >= 46  # at most its 4 waited; the rest were refused at once
