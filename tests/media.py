"""Test media made at run time with ffmpeg (nothing binary is committed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import imageio_ffmpeg


def make_video(path: Path, *, seconds: float = 60, size: str = "320x240", fps: int = 25,
               audio: bool = True) -> Path:
    """An H.264/AAC mp4 of the lavfi test pattern (a frame counter shows the time)."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-g", str(fps * 2), "-pix_fmt", "yuv420p"]
    if audio:
        cmd += ["-c:a", "aac", "-shortest"]
    cmd += ["-movflags", "+faststart", str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return path


def comments_jsonl(spots: dict[int, int], *, extra: list[str] | None = None) -> bytes:
    """youtube-comment-downloader style lines: `spots[second] = how many viewers cite it`."""
    lines = []
    n = 0
    for second, viewers in spots.items():
        for i in range(viewers):
            n += 1
            lines.append({"cid": f"c{n}", "text": f"{second // 60}:{second % 60:02d} wow {i}",
                          "author": f"@viewer{n}", "channel": f"UC{n:022d}", "votes": str(i),
                          "time": "1 day ago"})
    for text in extra or []:
        n += 1
        lines.append({"cid": f"c{n}", "text": text, "author": f"@viewer{n}",
                      "channel": f"UC{n:022d}", "votes": "0"})
    return "\n".join(json.dumps(line) for line in lines).encode()
