"""ws/sessions/<id>/ through the real ASGI stack, with the fake recognizer (the real model is
exercised in tests/analysis/emotion and the browser test)."""

from __future__ import annotations

import asyncio
import io
import json
import struct

import numpy as np
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from PIL import Image
from rest_framework.authtoken.models import Token

from analysis import inference
from analysis.models import EmotionSample, WatchSession
from jobs.models import Job
from shortory.asgi import application
from videos.models import SourceVideo, Video

pytestmark = [pytest.mark.django_db(transaction=True)]


def jpeg_bytes(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def frame(t: float, seed: int = 0) -> bytes:
    return struct.pack("<d", t) + jpeg_bytes(seed)


@pytest.fixture(autouse=True)
def fake_recognizer(settings):
    settings.EMOTION_RECOGNIZER = "emotion.FakeRecognizer"
    inference.reset_inference_worker()
    yield
    inference.reset_inference_worker()


@pytest.fixture
def session(alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="clip",
                                        duration=120, file_status="ready")
    video = Video.objects.create(user=alice, source=source)
    return WatchSession.objects.create(user=alice, video=video, capture_fps=4)


async def connect(user, session_id: int, *, token: bool = False):
    from django.test import Client

    headers = [(b"host", b"testserver")]
    if token:
        key = (await database_sync_to_async(Token.objects.get_or_create)(user=user))[0].key
        headers.append((b"authorization", f"Token {key}".encode()))
    elif user is not None:
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers += [(b"origin", b"http://testserver"),
                    (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]
    communicator = WebsocketCommunicator(application, f"/ws/sessions/{session_id}/",
                                         headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def receive_until(communicator, kind: str, timeout: float = 5) -> dict:
    while True:
        message = json.loads(await communicator.receive_from(timeout=timeout))
        if message["type"] == kind:
            return message


async def test_owner_streams_frames_and_gets_analysis(alice, session):
    ws, connected, _ = await connect(alice, session.pk)
    assert connected
    hello = json.loads(await ws.receive_from())
    assert hello == {"type": "hello", "session": session.pk, "capture_fps": 4,
                     "max_frame_bytes": settings.MAX_FRAME_BYTES, "frame_short_side": 240,
                     "frame_long_side": 480}
    await ws.send_to(bytes_data=frame(12.5))
    reply = await receive_until(ws, "analysis")
    assert reply["t"] == 12.5
    assert reply["face_found"] is True and reply["emotion"] == "happy"
    assert set(reply["probabilities"]) == {"happy", "sad", "angry", "neutral", "surprise"}
    assert sum(reply["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert 0 <= reply["attention"] <= 1
    await ws.disconnect()
    rows = await database_sync_to_async(list)(EmotionSample.objects.filter(session=session))
    assert [(r.t, r.face_found) for r in rows] == [(12.5, True)]
    assert rows[0].happy == pytest.approx(0.8)


async def test_strangers_and_anonymous_are_refused(bob, session):
    _, connected, code = await connect(bob, session.pk)
    assert not connected and code == 4404  # another user's session looks missing
    _, connected, code = await connect(None, session.pk)
    assert not connected and code == 4401
    _, connected, code = await connect(bob, 999999)
    assert not connected and code == 4404


async def test_token_auth_for_mobile(alice, session):
    ws, connected, _ = await connect(alice, session.pk, token=True)
    assert connected
    await ws.receive_from()
    await ws.send_to(bytes_data=frame(1.0))
    assert (await receive_until(ws, "analysis"))["t"] == 1.0
    await ws.disconnect()


async def test_garbage_gets_errors_without_closing(alice, session):
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    await ws.send_to(text_data="{not json")
    assert (await receive_until(ws, "error"))["code"] == "bad_message"
    await ws.send_to(text_data=json.dumps({"type": "dance"}))
    assert (await receive_until(ws, "error"))["code"] == "bad_message"
    await ws.send_to(bytes_data=b"\x01\x02")
    assert (await receive_until(ws, "error"))["code"] == "bad_frame"
    await ws.send_to(bytes_data=struct.pack("<d", 3.0) + b"definitely not a jpeg")
    assert (await receive_until(ws, "error"))["code"] == "bad_image"
    await ws.send_to(bytes_data=struct.pack("<d", float("nan")) + jpeg_bytes())
    assert (await receive_until(ws, "error"))["code"] == "bad_time"
    await ws.send_to(bytes_data=struct.pack("<d", 9999.0) + jpeg_bytes())
    assert (await receive_until(ws, "error"))["code"] == "bad_time"
    # Still open and working.
    await ws.send_to(bytes_data=frame(4.0))
    assert (await receive_until(ws, "analysis"))["t"] == 4.0
    await ws.disconnect()
    count = await database_sync_to_async(EmotionSample.objects.filter(session=session).count)()
    assert count == 1


async def test_oversized_frame_is_refused(alice, session, settings):
    settings.MAX_FRAME_BYTES = 5000
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    await ws.send_to(bytes_data=struct.pack("<d", 1.0) + b"\xff" * 6000)
    error = await receive_until(ws, "error")
    assert error["code"] == "too_large" and "5000" in error["message"]
    await ws.disconnect()


async def test_flooding_is_dropped_and_reported(alice, session):
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    for i in range(40):  # far more than 4 fps (burst of 8 allowed)
        await ws.send_to(bytes_data=frame(i * 0.01, seed=i))
    error = await receive_until(ws, "error")
    assert error["code"] == "rate_limited"
    await asyncio.sleep(0.3)
    await ws.disconnect()
    stored = await database_sync_to_async(WatchSession.objects.get)(pk=session.pk)
    assert 8 <= stored.frames_received < 40
    assert stored.frames_received + stored.frames_dropped == 40


async def test_pause_stops_capture_and_resume_restarts(alice, session):
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    await ws.send_to(text_data=json.dumps({"type": "pause"}))
    assert (await receive_until(ws, "paused"))["type"] == "paused"
    await ws.send_to(bytes_data=frame(2.0))
    await ws.send_to(text_data=json.dumps({"type": "ping"}))
    assert (await receive_until(ws, "pong"))["type"] == "pong"  # the frame got no analysis
    await ws.send_to(text_data=json.dumps({"type": "resume"}))
    await receive_until(ws, "resumed")
    await ws.send_to(bytes_data=frame(3.0))
    assert (await receive_until(ws, "analysis"))["t"] == 3.0
    await ws.disconnect()
    ts = await database_sync_to_async(list)(
        EmotionSample.objects.filter(session=session).values_list("t", flat=True))
    assert ts == [3.0]


async def test_reconnect_resumes_and_a_dropped_socket_loses_nothing(alice, session):
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    for i in range(5):  # fewer than a flush batch: only kept if the close flushes them
        await ws.send_to(bytes_data=frame(10 + i * 0.25, seed=i))
        await receive_until(ws, "analysis")
    await ws.disconnect()  # the network drops
    ws, connected, _ = await connect(alice, session.pk)
    assert connected  # the same session resumes
    await ws.receive_from()
    for i in range(3):
        await ws.send_to(bytes_data=frame(20 + i * 0.25, seed=i))
    await asyncio.sleep(0.2)
    await ws.disconnect()  # disconnect while frames may be in flight
    ts = await database_sync_to_async(list)(
        EmotionSample.objects.filter(session=session).order_by("t").values_list("t", flat=True))
    assert ts == [10, 10.25, 10.5, 10.75, 11, 20, 20.25, 20.5]
    stored = await database_sync_to_async(WatchSession.objects.get)(pk=session.pk)
    assert stored.frames_received == 8


async def test_finish_flushes_queues_the_job_and_closes(alice, session):
    ws, _, _ = await connect(alice, session.pk)
    await ws.receive_from()
    await ws.send_to(bytes_data=frame(5.0))
    await receive_until(ws, "analysis")
    await ws.send_to(text_data=json.dumps({"type": "finish"}))
    finished = await receive_until(ws, "finished")
    assert finished["url"] == f"/sessions/{session.pk}/"
    output = await ws.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    stored = await database_sync_to_async(WatchSession.objects.get)(pk=session.pk)
    assert stored.finished_at is not None
    # Tasks run inline in tests: the job already ran. One constant expression is the
    # viewer's baseline, so nothing stands out and no clip is made.
    assert stored.status == WatchSession.Status.DONE
    job = await database_sync_to_async(Job.objects.get)(pk=finished["job"])
    assert job.kind == Job.Kind.SESSION_FINISH and job.user_id == alice.pk
    assert job.status == Job.Status.DONE and "No strong reactions" in job.message
    count = await database_sync_to_async(EmotionSample.objects.filter(session=session).count)()
    assert count == 1
    # A finished session takes no more frames.
    ws, connected, _ = await connect(alice, session.pk)
    assert connected
    assert (await receive_until(ws, "error"))["code"] == "finished"
