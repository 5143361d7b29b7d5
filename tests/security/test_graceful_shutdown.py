"""Stopping the server (SIGTERM, Ctrl-C) during a live session (issue 13, item 11): the
samples already answered are stored, and the client gets a close frame."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import struct
import subprocess
import sys

from .server import ROOT, RunningServer
from .ws import jpeg_bytes

SESSION = (
    "from accounts.models import User; from rest_framework.authtoken.models import Token; "
    "from videos.models import SourceVideo, Video; from analysis.models import WatchSession; "
    "u = User.objects.get(username='viewer'); "
    "s = SourceVideo.objects.create(kind='upload', uploaded_by=u, title='v', duration=600, "
    "file_status='ready'); v = Video.objects.create(user=u, source=s); "
    "print('ID%d' % WatchSession.objects.create(user=u, video=v, capture_fps=4).pk)"
)


async def _answered_then_stopped(server: RunningServer, token: str, session: int):
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{server.port}/ws/sessions/{session}/",
                       additional_headers={"Authorization": f"Token {token}"},
                       open_timeout=20, ping_interval=None, close_timeout=10)
    await asyncio.wait_for(ws.recv(), 20)  # hello
    answered = []
    for i in range(3):
        await ws.send(struct.pack("<d", 5.0 + i) + jpeg_bytes(i))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if message["type"] == "analysis":
                answered.append(message["t"])
                break
    server.proc.send_signal(signal.SIGTERM)  # well inside the 2-second flush interval
    try:
        async for _ in ws:
            pass
    except Exception:
        pass
    return answered, ws.close_code


def test_sigterm_stores_answered_samples_and_sends_a_close_frame(tmp_path):
    server = RunningServer(tmp_path,
                           extra_env={"SHORTORY_EMOTION_RECOGNIZER": "emotion.FakeRecognizer"})
    try:
        token = server.token_for("viewer")
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SESSION], cwd=ROOT,
                             env=server.env, check=True, capture_output=True, text=True,
                             timeout=120).stdout
        session = int(out.split("ID", 1)[1])
        answered, close_code = asyncio.run(_answered_then_stopped(server, token, session))
        server.proc.wait(timeout=30)
    finally:
        server.stop()
    assert answered == [5.0, 6.0, 7.0]
    assert close_code == 1001
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        stored = [t for (t,) in db.execute(
            "SELECT t FROM analysis_emotionsample WHERE session_id = ? ORDER BY t", (session,))]
    assert stored == [5.0, 6.0, 7.0]
