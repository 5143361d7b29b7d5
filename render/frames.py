"""Reading a video's pictures as raw frames at a fixed rate: ``read_frames``.

Reaction videos (a viewer's recording of their own face) go through the emotion engine frame by
frame; this decodes them with ffmpeg at the rate and size the live capture uses, streaming
(one frame in memory at a time), so a long recording never fills the memory.
"""

from __future__ import annotations

import logging
import math
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .errors import MediaError
from .probe import probe_media
from .process import base_args, input_args, secs
from .tools import find_ffmpeg

logger = logging.getLogger(__name__)

#: The largest picture a frame-by-frame read accepts (a phone's 4K recording is fine).
MAX_READ_PIXELS = 4096 * 4096


def read_frames(
    path: Path,
    *,
    fps: float,
    size: Callable[[int, int], tuple[int, int]] | None = None,
    start: float = 0.0,
    max_seconds: float | None = None,
    ffmpeg: str | None = None,
) -> Iterator[tuple[float, np.ndarray]]:
    """``(t, frame)`` pairs from ``start`` on, ``fps`` a second: ``t`` in seconds after
    ``start``, ``frame`` a BGR uint8 array of ``size(width, height)`` (the displayed size,
    rotation applied; unscaled without ``size``). At most ``max_seconds`` of video are read.

    Raises :class:`MediaError` for a file without pictures, one too large, or one ffmpeg
    cannot read.
    """
    if not (math.isfinite(fps) and 0 < fps <= 60):
        raise ValueError(f"fps must be in (0, 60], not {fps}")
    info = probe_media(path, ffmpeg=ffmpeg, full_scan=False)
    if not info.has_video or not info.width or not info.height:
        raise MediaError("This file has no pictures to analyse.")
    if info.width * info.height > MAX_READ_PIXELS:
        raise MediaError(f"The video is {info.width}x{info.height}; too large.")
    width, height = size(info.width, info.height) if size else (info.width, info.height)
    if width * height > MAX_READ_PIXELS or width <= 0 or height <= 0:
        raise MediaError(f"Cannot read frames of {width}x{height}.")
    cmd = base_args(find_ffmpeg(ffmpeg))
    if start > 0:
        cmd += ["-ss", secs(start)]
    cmd += input_args(path)
    if max_seconds is not None:
        cmd += ["-t", secs(max(0.0, max_seconds))]
    cmd += ["-an", "-sn", "-dn", "-vf", f"fps={fps:g},scale={width}:{height}:flags=area",
            "-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1"]
    frame_bytes = width * height * 3
    logger.debug("reading frames: %s", " ".join(cmd))
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise MediaError("Video processing is not available (ffmpeg could not start).") from exc
    assert proc.stdout is not None and proc.stderr is not None
    index = 0
    try:
        while True:
            chunk = proc.stdout.read(frame_bytes)
            if len(chunk) < frame_bytes:
                break
            frame = np.frombuffer(chunk, np.uint8).reshape(height, width, 3)
            yield index / fps, frame
            index += 1
        stderr = proc.stderr.read()
        if proc.wait() != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-4:]
            logger.warning("reading frames of %s failed: %s", path, " | ".join(tail))
            if index == 0:
                raise MediaError("The video's pictures could not be read.")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
