"""``thumbnail_strip``: evenly spaced frames of a stretch of the source, side by side in one
JPEG, for the clip editor's timeline. Each frame is a fast keyframe seek (no decoding of the
whole stretch), all in one ffmpeg run."""

from __future__ import annotations

import math
import os
from pathlib import Path

from .errors import MediaError
from .process import base_args, run, secs
from .tools import find_ffmpeg

#: Bounds on what a caller (and so a request) can ask for.
MAX_FRAMES = 24
MAX_HEIGHT = 180


def strip_times(start: float, end: float, frames: int) -> list[float]:
    """The middle of each of ``frames`` equal slices of [start, end]."""
    step = (end - start) / frames
    return [start + step * (i + 0.5) for i in range(frames)]


def thumbnail_strip(source: str | os.PathLike[str], start: float, end: float,
                    out: str | os.PathLike[str], *, frames: int = 12, height: int = 72,
                    ffmpeg: str | None = None) -> Path:
    """Write ``frames`` frames from ``source[start:end]``, each ``height`` px high, as one
    JPEG strip at ``out``. Raises ValueError for bad arguments, MediaError if ffmpeg fails."""
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
        raise ValueError("need 0 <= start < end")
    if not 1 <= frames <= MAX_FRAMES or not 16 <= height <= MAX_HEIGHT:
        raise ValueError(f"frames must be 1–{MAX_FRAMES}, height 16–{MAX_HEIGHT}")
    source_path, out_path = Path(source).absolute(), Path(out).absolute()
    if not source_path.is_file():
        raise MediaError("The source video file was not found.")
    exe = find_ffmpeg(ffmpeg)
    cmd = base_args(exe)
    for t in strip_times(start, end, frames):
        cmd += ["-ss", secs(t), "-i", str(source_path)]
    # Each input gives its first frame, scaled to the height (even width), then all side by side.
    chains = [f"[{i}:v:0]trim=end_frame=1,scale=-2:{height},setsar=1[f{i}]" for i in range(frames)]
    joined = "".join(f"[f{i}]" for i in range(frames))
    stack = f"{joined}hstack=inputs={frames}[out]" if frames > 1 else "[f0]null[out]"
    cmd += ["-filter_complex", ";".join([*chains, stack]), "-map", "[out]", "-frames:v", "1",
            "-q:v", "5", "-y", str(out_path)]
    run(cmd, what="thumbnail strip")
    if not out_path.is_file() or out_path.stat().st_size == 0:
        raise MediaError("The thumbnail strip could not be made.")
    return out_path
