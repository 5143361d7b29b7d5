"""Oversize WebSocket messages against the real server (issue 13, item 12): a message over
daphne's 1 MiB limit is answered with a close frame, code 1009 (stock daphne reset the TCP
connection: the client saw no close frame at all), and a frame under that limit but over
``max_frame_bytes`` gets the ``too_large`` error on a socket that stays open."""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys

from .server import ROOT, RunningServer
from .ws import jpeg_bytes

SESSIONS = (
    "from accounts.models import User; "
    "from videos.models import SourceVideo, Video; from analysis.models import WatchSession; "
    "u = User.objects.get(username='sender'); "
    "s = SourceVideo.objects.create(kind='upload', uploaded_by=u, title='v', duration=600, "
    "file_status='ready'); v = Video.objects.create(user=u, source=s); "
    "print('IDS', *[WatchSession.objects.create(user=u, video=v, capture_fps=4).pk "
    "for _ in range(3)])"
)


async def _send(port: int, token: str, session: int, message: bytes) -> dict:
    """Send one binary message after the hello; what came back, and how the socket ended."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    ws = await connect(f"ws://127.0.0.1:{port}/ws/sessions/{session}/",
                       additional_headers={"Authorization": f"Token {token}"},
                       open_timeout=20, ping_interval=None, close_timeout=10, max_size=None)
    hello = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert hello["type"] == "hello"
    answers: list[dict] = []
    try:
        await ws.send(message)
        answers.append(json.loads(await asyncio.wait_for(ws.recv(), 20)))
        # Still open: a normal frame is analysed after the refused one.
        await ws.send(struct.pack("<d", 3.0) + jpeg_bytes(1))
        while answers[-1]["type"] != "analysis":
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 20)))
        await ws.close()
    except ConnectionClosed:
        pass
    await ws.wait_closed()
    received = ws.protocol.close_rcvd
    return {"answers": answers, "close_code": received.code if received else None,
            "reason": received.reason if received else None}


def test_oversize_messages_get_a_close_frame_or_too_large(tmp_path):
    server = RunningServer(tmp_path,
                           extra_env={"SHORTORY_EMOTION_RECOGNIZER": "emotion.FakeRecognizer"})
    try:
        token = server.token_for("sender")
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SESSIONS], cwd=ROOT,
                             env=server.env, check=True, capture_output=True, text=True,
                             timeout=120).stdout
        huge, over, big = (int(pk) for pk in out.split("IDS", 1)[1].split())
        header = struct.pack("<d", 2.0)
        ten_mb = asyncio.run(_send(server.port, token, huge, header + b"\0" * 10_000_000))
        one_and_half = asyncio.run(_send(server.port, token, over, header + b"\0" * 1_500_000))
        frame = asyncio.run(_send(server.port, token, big, header + b"\0" * 400_000))
        assert server.proc.poll() is None  # the server took all three in its stride
    finally:
        server.stop()
    for result in (ten_mb, one_and_half):
        assert result["close_code"] == 1009, result  # a close frame, not a reset (None)
        assert "exceeds payload limit" in result["reason"]
        assert result["answers"] == []
    assert frame["close_code"] == 1000, frame  # our own normal close, answered
    assert frame["answers"][0]["type"] == "error"
    assert frame["answers"][0]["code"] == "too_large"
    assert frame["answers"][-1]["type"] == "analysis" and frame["answers"][-1]["t"] == 3.0
