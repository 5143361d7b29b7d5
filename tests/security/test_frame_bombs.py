"""Decompression bombs: a frame's dimensions are checked before anything is decoded, and only
JPEG is accepted (issue 13, item 2)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from channels.db import database_sync_to_async

from analysis import inference
from analysis.models import EmotionSample, WatchSession
from emotion import FrameDecodeError, decode_for_analysis, decode_jpeg
from videos.models import SourceVideo, Video

from .ws import frame, jpeg_bytes, open_socket, receive_until, session_cookie


def _with_size(data: bytes, width: int, height: int) -> bytearray:
    out = bytearray(data)
    sof = out.index(b"\xff\xc0")
    out[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return out


def junk_before_sof_bomb() -> bytes:
    """A 320x240 JPEG whose frame header claims 4000x4000, behind a junk byte that made the
    old header reader give up (libjpeg skips it and decodes the claimed size)."""
    data = _with_size(jpeg_bytes(), 4000, 4000)
    sof = data.index(b"\xff\xc0")
    return bytes(data[:sof] + b"\x00" + data[sof:])


def png_bomb() -> bytes:
    ok, png = cv2.imencode(".png", np.zeros((4000, 4000, 3), np.uint8))
    assert ok and len(png) < 100_000  # tiny on the wire, 48 MB decoded
    return png.tobytes()


def many_scans() -> bytes:
    ok, data = cv2.imencode(".jpg", np.zeros((240, 320, 3), np.uint8),
                            [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    data = data.tobytes()
    last_scan = data.rindex(b"\xff\xda")
    body, end = data[last_scan:-2], data[-2:]
    return data[:-2] + body * 40 + end


BOMBS = {
    "junk byte before the frame header": junk_before_sof_bomb,
    "PNG": png_bomb,
    "12 MP claimed by a clean header": lambda: bytes(_with_size(jpeg_bytes(), 4000, 3000)),
    "a JPEG of 40 scans": many_scans,
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused_before_decoding(name):
    data = BOMBS[name]()
    for decode in (decode_for_analysis, decode_jpeg):
        with pytest.raises(FrameDecodeError, match="not a JPEG|too large|scans"):
            decode(data)


def test_an_ordinary_webcam_frame_still_decodes():
    assert decode_for_analysis(jpeg_bytes(size=(640, 480))).image.shape[:2] == (240, 320)
    assert decode_jpeg(jpeg_bytes(size=(1920, 1080))).shape[:2] == (1080, 1920)


@pytest.fixture
def session(alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="clip",
                                        duration=120, file_status="ready")
    video = Video.objects.create(user=alice, source=source)
    return WatchSession.objects.create(user=alice, video=video, capture_fps=4)


@pytest.fixture
def fake_recognizer(settings):
    settings.EMOTION_RECOGNIZER = "emotion.FakeRecognizer"
    inference.reset_inference_worker()
    yield
    inference.reset_inference_worker()


@pytest.mark.django_db(transaction=True)
async def test_a_bomb_over_the_socket_is_answered_bad_image_and_nothing_is_stored(
        alice, session, fake_recognizer):
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/",
                                         cookie=await session_cookie(alice),
                                         origin="http://testserver")
    assert connected
    await receive_until(ws, "hello")
    for make in BOMBS.values():
        await ws.send_to(bytes_data=frame(3.0, make()))
        error = await receive_until(ws, "error")
        assert error["code"] == "bad_image", error
    await ws.send_to(bytes_data=frame(4.0))
    assert (await receive_until(ws, "analysis"))["t"] == 4.0  # the socket still works
    await ws.disconnect()
    times = await database_sync_to_async(
        lambda: list(EmotionSample.objects.filter(session=session).values_list("t", flat=True)))()
    assert times == [4.0]
