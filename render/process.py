"""Running ffmpeg: one run to completion, or several in the background that are stopped
together when one fails, so a failed render never leaves an ffmpeg behind."""

from __future__ import annotations

import ctypes
import logging
import math
import signal
import subprocess
import sys
import time
from typing import Any, TypeAlias

from .errors import MediaError

logger = logging.getLogger(__name__)

# Longest any single ffmpeg run may take before the render is abandoned.
FFMPEG_TIMEOUT = 1800.0

# A background ffmpeg run: what it does (for the log) and its process.
Job: TypeAlias = tuple[str, subprocess.Popen[bytes]]

_TOO_LONG = "Processing the video took too long and was stopped."
_NO_START = "Video processing is not available (ffmpeg could not start)."
_FAILED = "The clip could not be rendered from this video."


def base_args(ffmpeg: str, level: str = "error") -> list[str]:
    """The start of every command line: no stdin, no banner, only messages at ``level``."""
    return [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", level]


# Demuxers a file may be opened with: real video containers, nothing else. Manifests and
# playlists (DASH, HLS, concat lists, image sequences) name other files or URLs, so an upload
# that is one could make ffmpeg read the server's own files into a clip. ffmpeg's names:
# "mov" is mov/mp4/m4a/3gp, "matroska" is Matroska/WebM.
VIDEO_DEMUXERS = ("mov", "matroska", "avi", "mpegts")


def input_args(path: object, *, demuxers: tuple[str, ...] = VIDEO_DEMUXERS) -> list[str]:
    """``-i path`` for a file that may come from a user: only the ``file`` protocol and only
    the given demuxers (``VIDEO_DEMUXERS``); nested inputs inherit both lists."""
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(demuxers),
            "-i", str(path)]


def secs(value: float) -> str:
    """A time for ffmpeg, rounded *down* to the microsecond so that seeking to a frame's
    exact timestamp never lands just after it (which would drop that frame)."""
    return f"{math.floor(max(value, 0.0) * 1_000_000) / 1_000_000:.6f}"


def _die_with_parent() -> None:
    """In the child before exec (Linux): be killed when the process that started us dies, so
    a worker killed mid-render (SIGKILL, OOM) never leaves its ffmpeg running."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# The parent-death signal follows the *thread* that started the child; every ffmpeg here is
# started by the thread that then waits for it (a worker's task, a request's sync thread).
_CHILD: dict[str, Any] = {"preexec_fn": _die_with_parent} if sys.platform == "linux" else {}


def run(cmd: list[str], *, what: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg to completion, output captured. With ``check``, a non-zero exit raises
    MediaError (the details go to the log)."""
    logger.debug("ffmpeg (%s): %s", what, " ".join(cmd))
    began = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False,
                              **_CHILD)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(_TOO_LONG) from exc
    except OSError as exc:
        raise MediaError(_NO_START) from exc
    logger.debug("ffmpeg (%s) took %.2f s", what, time.perf_counter() - began)
    if check and proc.returncode != 0:
        log_failure(what, proc.returncode, proc.stderr)
        raise MediaError(_FAILED)
    return proc


def log_failure(what: str, returncode: int, stderr: bytes) -> None:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-8:]
    logger.warning("ffmpeg %s failed (exit %s): %s", what, returncode, " | ".join(tail))


def spawn(cmd: list[str], *, what: str, started: list[Job]) -> Job:
    """Start ffmpeg in the background; ``started`` collects it so that the caller can stop
    whatever is still running when the render fails."""
    logger.debug("ffmpeg (%s): %s", what, " ".join(cmd))
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                **_CHILD)
    except OSError as exc:
        raise MediaError(_NO_START) from exc
    started.append((what, proc))
    return what, proc


def stop_all(started: list[Job]) -> None:
    """Kill (and reap) every run in ``started`` that is still going."""
    for _, proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def wait_all(jobs: list[Job]) -> None:
    """Wait for ffmpeg runs started together; if one fails, stop the others and raise."""
    failed: MediaError | None = None
    began = time.perf_counter()
    for what, proc in jobs:
        try:
            _, stderr = proc.communicate(timeout=FFMPEG_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failed = failed or MediaError(_TOO_LONG)
            continue
        logger.debug("ffmpeg (%s) done after %.2f s more", what, time.perf_counter() - began)
        if proc.returncode != 0 and failed is None:
            log_failure(what, proc.returncode, stderr)
            failed = MediaError(_FAILED)
            for _, other in jobs:
                if other.poll() is None:
                    other.kill()
    if failed is not None:
        raise failed
