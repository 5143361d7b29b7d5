"""Shared helpers of the render tests: sources made at run time, frames compared after decoding.

Every source is generated with ffmpeg's lavfi sources (testsrc2 moves every frame, so
neighbouring frames are easy to tell apart). Frames are compared after decoding, downscaled to
grey 160x90: a frame matches its source frame at > 40 dB and its neighbours at < 32 dB, so
"the right frame" is unambiguous.
"""

from __future__ import annotations

import math
import struct
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

import render

FPS = 30
GOP = 60  # an IDR frame every 2 s: 0, 2, 4, 6, 8, 10
W, H = 160, 90


@dataclass(frozen=True)
class Sources:
    av: Path  # 12 s, 640x360, H.264 High with B-frames, AAC stereo
    silent: Path  # 6 s, no audio
    mpeg4: Path  # 4 s, MPEG-4 part 2 video: cannot be smart-cut
    av_frames: np.ndarray  # every decoded frame of `av`, grey 160x90


def ffmpeg() -> str:
    return render.find_ffmpeg()


def run_ffmpeg(*args: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", *args],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc


def make_video(path: Path, seconds: float, *, audio: bool = True, codec: str = "libx264",
               x264: tuple[str, ...] = ("-profile:v", "high", "-bf", "3")) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc2=s=640x360:r={FPS}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}"]
    if codec == "libx264":
        # Like a typical download (by default): High profile, B-frames, a fixed GOP of IDRs.
        args += ["-c:v", "libx264", "-preset", "veryfast", *x264, "-g", str(GOP),
                 "-keyint_min", str(GOP), "-sc_threshold", "0", "-pix_fmt", "yuv420p"]
    else:
        args += ["-c:v", codec, "-q:v", "3", "-g", str(GOP)]
    if audio:
        codec_args = ["-c:a", "libopus"] if path.suffix == ".mkv" else ["-c:a", "aac"]
        args += [*codec_args, "-ac", "2", "-b:a", "128k"]
    if path.suffix == ".mp4":
        args += ["-movflags", "+faststart"]
    run_ffmpeg(*args, "-y", str(path))
    return path


def make_sources(root: Path) -> Sources:
    av = make_video(root / "av.mp4", 12)
    return Sources(
        av=av,
        silent=make_video(root / "silent.mp4", 6, audio=False),
        mpeg4=make_video(root / "mpeg4.mp4", 4, codec="mpeg4"),
        av_frames=decode_grey(av),
    )


def decode_grey(path: Path, *, portrait: bool = False, crop: bool = False) -> np.ndarray:
    """Every frame, as stored (no frame-rate conversion), downscaled to grey 160x90 (90x160
    when ``portrait``), after the renderer's own 9:16 centre crop when ``crop``."""
    w, h = (H, W) if portrait else (W, H)
    crop_filter = f"{render.VERTICAL_FILTER}," if crop else ""
    out = run_ffmpeg("-i", str(path), "-map", "0:V:0", "-fps_mode", "passthrough",
                     "-vf", f"{crop_filter}scale={w}:{h}:flags=area", "-f", "rawvideo",
                     "-pix_fmt", "gray", "-").stdout
    return np.frombuffer(out, np.uint8).reshape(-1, h, w).astype(np.float64)


def frame_md5s(path: Path) -> list[str]:
    out = run_ffmpeg("-i", str(path), "-map", "0:V:0", "-fps_mode", "passthrough",
                     "-f", "framemd5", "-").stdout.decode()
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines()
            if line and not line.startswith("#")]


def video_packets(path: Path) -> list[tuple[int, int, int]]:
    """(dts, pts, duration) of every video packet, in file order, as stored."""
    out = run_ffmpeg("-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc",
                     "-").stdout.decode()
    return [tuple(int(v) for v in line.split(",")[1:4])  # type: ignore[misc]
            for line in out.splitlines() if line and not line.startswith("#")]


def decode_errors_without_inband_parameter_sets(path: Path, tmp_path: Path) -> str:
    """Decode errors once SPS/PPS NAL units inside the samples are removed: what a player that
    reads parameter sets only from the sample description (avcC) would see."""
    stripped = tmp_path / "stripped.mp4"
    run_ffmpeg("-i", str(path), "-map", "0:v:0", "-c", "copy", "-bsf:v",
               "filter_units=remove_types=7|8", "-y", str(stripped))
    return decode_errors(stripped)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def expected_frames(start: float, end: float, total: float) -> range:
    """Indices of the source frames shown in [start, min(end, total)), computed exactly."""
    lo, hi = Fraction(str(start)), min(Fraction(str(end)), Fraction(str(total)))
    first = math.ceil(lo * FPS)
    last = math.ceil(hi * FPS) - 1
    return range(first, last + 1)


def decode_errors(path: Path) -> str:
    proc = subprocess.run([ffmpeg(), "-nostdin", "-v", "error", "-i", str(path), "-f", "null",
                           "-"], capture_output=True, check=False)
    return proc.stderr.decode() + ("" if proc.returncode == 0 else f"exit {proc.returncode}")


def top_level_boxes(path: Path) -> list[bytes]:
    data, pos, kinds = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
        kinds.append(kind)
        pos += size if size else len(data)
    return kinds


def assert_frames_match(clip: np.ndarray, source: np.ndarray, indices: range) -> None:
    assert len(clip) == len(indices)
    for i, k in enumerate(indices):
        score = psnr(clip[i], source[k])
        assert score > 40, f"frame {i} (source frame {k}) differs: {score:.1f} dB"
    # The first frame is that exact source frame, not a neighbour.
    first = indices[0]
    for neighbour in (first - 1, first + 1):
        if 0 <= neighbour < len(source):
            assert psnr(clip[0], source[neighbour]) < psnr(clip[0], source[first]) - 8
