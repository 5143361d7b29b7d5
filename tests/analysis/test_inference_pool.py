"""The inference worker processes (``SHORTORY_INFERENCE_PROCESSES``): frames are analysed in
them and answered as before; one killed mid-batch fails only its frames and is started again;
closing the worker, or killing the server, leaves no process behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.inference import InferenceFailed, InferenceWorker, Overloaded
from analysis.inference_child import analyse_batch
from emotion import FaceTrack, FakeRecognizer, FrameDecodeError

from . import pool_recognizers
from .test_session_socket import jpeg_bytes

ROOT = Path(__file__).resolve().parents[2]


def gone(pid: int) -> bool:
    """Exited (a zombie nobody reaped counts: it runs nothing and holds no memory)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout} s")


@pytest.fixture
def workers():
    """InferenceWorkers made in a test, always closed after it."""
    made: list[InferenceWorker] = []

    def make(factory, **kwargs) -> InferenceWorker:
        worker = InferenceWorker(factory, **kwargs)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.close()


async def test_frames_are_analysed_in_the_worker_processes(workers):
    worker = workers(pool_recognizers.TrackingRecognizer, processes=2)
    track = FaceTrack()
    results = [await worker.submit(jpeg_bytes(i), track) for i in range(4)]
    pids = {int(r.face_score) for r in results}
    running = await asyncio.to_thread(
        wait_for, lambda: len(worker.worker_pids()) == 2 and worker.worker_pids(), 60, "2 pids")
    assert os.getpid() not in pids and pids <= set(running)
    # The engine's changes to the viewer's track come back with each answer.
    assert track.followed_frames == 4


async def test_the_strict_jpeg_check_runs_before_decoding_in_the_worker(workers):
    worker = workers(FakeRecognizer, processes=1)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    bomb_header = b"\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03" + b"\0" * 9
    with pytest.raises(FrameDecodeError, match="not a JPEG"):
        await worker.submit(png, FaceTrack())
    with pytest.raises(FrameDecodeError):
        await worker.submit(bomb_header, FaceTrack())
    assert (await worker.submit(jpeg_bytes(), FaceTrack())).emotion == "happy"


def test_a_batch_is_answered_item_by_item():
    good, bad = jpeg_bytes(), b"not a jpeg"
    replies = analyse_batch(FakeRecognizer(), [(good, None), (bad, None), (good, FaceTrack())])
    assert [r[0] for r in replies] == ["ok", "bad_image", "ok"]
    assert replies[0][1].emotion == "happy" and isinstance(replies[2][2], FaceTrack)
    failed = analyse_batch(pool_recognizers.BrokenRecognizer(), [(good, None), (bad, None)])
    assert failed[0] == ("failed", "RuntimeError: the model fell over")
    assert failed[1][0] == "bad_image"


async def test_an_engine_error_fails_the_frame_not_the_worker(workers):
    worker = workers(pool_recognizers.BrokenRecognizer, processes=1)
    with pytest.raises(InferenceFailed, match="fell over"):
        await worker.submit(jpeg_bytes(), FaceTrack())
    pids = worker.worker_pids()
    with pytest.raises(InferenceFailed):
        await worker.submit(jpeg_bytes(), FaceTrack())
    assert worker.worker_pids() == pids  # the same process answered both


async def test_a_worker_killed_mid_batch_fails_its_frames_and_is_started_again(
    workers, tmp_path, monkeypatch
):
    marker = tmp_path / "stalled"
    monkeypatch.setenv(pool_recognizers.MARKER_ENV, str(marker))
    worker = workers(pool_recognizers.StallOnceRecognizer, processes=1, max_age=120)
    stalled = [asyncio.ensure_future(worker.submit(jpeg_bytes(i), FaceTrack())) for i in range(3)]
    await asyncio.to_thread(wait_for, marker.exists, what="the batch to start")
    victim = int(marker.read_text())
    assert worker.worker_pids() == [victim]
    os.kill(victim, signal.SIGKILL)
    results = await asyncio.gather(*stalled, return_exceptions=True)
    assert all(isinstance(r, InferenceFailed) for r in results), results
    assert "exited" in str(results[0])
    # A new process takes over, and answers.
    replacement = await asyncio.to_thread(
        wait_for, lambda: [p for p in worker.worker_pids() if p != victim], 120, "a restart")
    assert gone(victim) and len(replacement) == 1
    assert (await worker.submit(jpeg_bytes(), FaceTrack())).emotion == "happy"
    assert worker.processes[0].starts == 2


async def test_fair_share_holds_with_worker_processes(workers):
    worker = workers(pool_recognizers.SlowRecognizer, processes=1, max_batch=4, max_queue=64,
                     max_pending_per_viewer=4, max_age=30)
    await worker.submit(jpeg_bytes(), None)  # started and loaded
    flooder, viewer = FaceTrack(), FaceTrack()
    flood = [asyncio.ensure_future(worker.submit(jpeg_bytes(), flooder)) for _ in range(50)]
    await asyncio.sleep(0)
    mine = await worker.submit(jpeg_bytes(), viewer)
    assert mine.emotion == "happy"
    results = await asyncio.gather(*flood, return_exceptions=True)
    assert sum(isinstance(r, Overloaded) for r in results) >= 46


async def test_closing_the_worker_leaves_no_process(workers):
    worker = workers(FakeRecognizer, processes=2)
    await asyncio.gather(*(worker.submit(jpeg_bytes(i), FaceTrack()) for i in range(8)))
    pids = await asyncio.to_thread(
        wait_for, lambda: len(worker.worker_pids()) == 2 and worker.worker_pids(), 60, "2 pids")
    await asyncio.to_thread(worker.close)
    assert all(gone(pid) for pid in pids)
    assert worker.worker_pids() == []
    with pytest.raises(Overloaded):  # a closed worker takes no more frames
        await worker.submit(jpeg_bytes(), FaceTrack())


SERVER_SCRIPT = """
import asyncio
import cv2
import numpy as np
from analysis.inference import InferenceWorker
from emotion import FakeRecognizer

async def main():
    worker = InferenceWorker(FakeRecognizer, processes=2)
    jpeg = cv2.imencode(".jpg", np.zeros((240, 320, 3), np.uint8))[1].tobytes()
    await asyncio.gather(*(worker.submit(jpeg) for _ in range(8)))
    while len(worker.worker_pids()) < 2:
        await asyncio.sleep(0.05)
    print(" ".join(map(str, worker.worker_pids())), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_worker_processes_die_with_the_server(how):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings_test"}
    server = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        pids = [int(p) for p in line.split()]
        assert len(pids) == 2, line
        server.send_signal(how)
        server.wait(timeout=30)
        wait_for(lambda: all(gone(p) for p in pids), 30, "the worker processes to exit")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
