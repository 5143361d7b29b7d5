"""One analysis pass over a clip's time range: the shot cuts (ffmpeg's scene score on every
frame, at 160 px wide) and small sampled frames handed to a face finder, read from a pipe.

Nothing here decodes the video twice or touches full-resolution pixels in Python: ffmpeg
scales every frame down before it reaches the pipe. Thresholds and measurements:
docs/reframe.md#shot-cuts.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import MediaError
from .process import FFMPEG_TIMEOUT, base_args, input_args, log_failure, secs
from .reframe import Face, Sample

logger = logging.getLogger(__name__)

# A face finder: BGR uint8 frames in, each frame's faces out as (x, y, w, h, score) in that
# frame's pixels (emotion.detection.VideoFaceFinder is one).
FaceBox = tuple[float, float, float, float, float]
FaceFinder = Callable[[list[np.ndarray]], Sequence[Sequence[FaceBox]]]

SCENE_THRESHOLD = 0.3  # ffmpeg's scene score (0..1) above which a frame starts a new shot
MIN_SHOT_SECONDS = 0.5  # cuts closer than this to the previous one (flashes) are ignored
SAMPLE_FPS = 4.0
MAX_SAMPLES = 900  # a long clip is sampled more sparsely rather than without bound
SAMPLE_HEIGHT = 360  # the sampled frames' height (faces down to ~25 px at 1080p are kept)
SCENE_WIDTH = 160
BATCH = 16

_PTS_RE = re.compile(r"\[Parsed_metadata_\d+ @ [^\]]+\] frame:\s*\d+\s+pts:\s*-?\d+\s+"
                     r"pts_time:\s*(-?\d+(?:\.\d+)?)")
_FAILED = "The video could not be analysed for reframing."


@dataclass(frozen=True)
class Analysis:
    """What one pass found: shot cuts and per-sample faces (clip seconds, source pixels)."""

    cuts: tuple[float, ...]
    samples: tuple[Sample, ...]
    sample_fps: float


def sample_size(width: int, height: int) -> tuple[int, int]:
    """The sampled frames' (width, height): at most ``SAMPLE_HEIGHT`` high, even sides."""
    h = min(height, SAMPLE_HEIGHT) // 2 * 2
    w = max(2, round(width * h / height / 2) * 2)
    return w, max(2, h)


def analyse_clip(ffmpeg: str, source: Path, start: float, duration: float,
                 source_size: tuple[int, int], find_faces: FaceFinder | None) -> Analysis:
    """Shot cuts and (with ``find_faces``) the faces in sampled frames of
    ``source[start:start + duration]``. Raises MediaError when ffmpeg fails."""
    fps = min(SAMPLE_FPS, MAX_SAMPLES / max(duration, 1e-3))
    width, height = sample_size(*source_size)
    # Every frame is scaled straight to 160 px for the scene score; only the sampled ones
    # are scaled to the detector's size.
    graph = (f"[0:V:0]split=2[a][b];"
             f"[a]scale={SCENE_WIDTH}:-2:flags=fast_bilinear,"
             f"select='gt(scene,{SCENE_THRESHOLD})',metadata=mode=print,nullsink;"
             f"[b]fps={fps:.6f},scale={width}:{height},setsar=1,format=bgr24[out]")
    # No deblocking: a quarter of the decoding time, invisible at 160 and 640 px.
    cmd = [*base_args(ffmpeg, "info"), "-skip_loop_filter", "all", "-ss", secs(start),
           *input_args(source),
           "-t", f"{duration:.6f}", "-filter_complex", graph, "-map", "[out]",
           "-f", "rawvideo", "pipe:1"]
    frame_bytes = width * height * 3
    scale_x, scale_y = source_size[0] / width, source_size[1] / height
    samples: list[Sample] = []
    with tempfile.TemporaryFile() as log:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        except OSError as exc:
            raise MediaError("Video processing is not available (ffmpeg could not start).") \
                from exc
        timer = threading.Timer(FFMPEG_TIMEOUT, proc.kill)
        timer.start()
        # A reader thread keeps ffmpeg decoding while the faces of earlier frames are found.
        frames: queue.Queue[bytes | None] = queue.Queue(maxsize=2 * BATCH)
        reader = threading.Thread(target=_read_frames, args=(proc, frame_bytes, frames),
                                  daemon=True)
        reader.start()
        try:
            index = 0
            batch: list[np.ndarray] = []
            while (chunk := frames.get()) is not None:
                batch.append(np.frombuffer(chunk, np.uint8).reshape(height, width, 3))
                if len(batch) == BATCH:
                    samples += _faces(batch, index, fps, find_faces, scale_x, scale_y)
                    index += len(batch)
                    batch = []
            if batch:
                samples += _faces(batch, index, fps, find_faces, scale_x, scale_y)
            returncode = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            while reader.is_alive():  # a failure above: let the reader see the pipe close
                with contextlib.suppress(queue.Empty):
                    frames.get(timeout=0.1)
            reader.join()
        log.seek(0)
        text = log.read()
    if returncode != 0:
        log_failure("analysis", returncode, text)
        raise MediaError(_FAILED)
    cuts = _cuts(text.decode("utf-8", "replace"), duration)
    return Analysis(cuts=cuts, samples=tuple(samples), sample_fps=fps)


def _read_frames(proc: subprocess.Popen[bytes], frame_bytes: int,
                 frames: queue.Queue[bytes | None]) -> None:
    """Put each whole frame from ffmpeg's stdout on ``frames``, then None."""
    assert proc.stdout is not None
    try:
        while len(chunk := proc.stdout.read(frame_bytes)) == frame_bytes:
            frames.put(chunk)
    finally:
        frames.put(None)


def _faces(frames: list[np.ndarray], first: int, fps: float, find_faces: FaceFinder | None,
           scale_x: float, scale_y: float) -> list[Sample]:
    found: Sequence[Sequence[FaceBox]] = (find_faces(frames) if find_faces
                                          else [[] for _ in frames])
    return [
        Sample(t=(first + k) / fps, faces=tuple(
            Face(x * scale_x, y * scale_y, w * scale_x, h * scale_y, score)
            for x, y, w, h, score in faces))
        for k, faces in enumerate(found)
    ]


def _cuts(text: str, duration: float) -> tuple[float, ...]:
    cuts: list[float] = []
    for match in _PTS_RE.finditer(text):
        t = float(match.group(1))
        if 0.1 <= t < duration - 1e-3 and (
                not cuts or t - cuts[-1] >= MIN_SHOT_SECONDS):
            cuts.append(round(t, 6))
    return tuple(cuts)
