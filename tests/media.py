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


def lfw_face_picture(index: int, path: Path, *, size: tuple[int, int] = (1280, 720),
                     face: int = 560) -> Path:
    """scikit-image's LFW sample ``index`` (a real face), centred on grey, as a PNG."""
    import numpy as np
    from PIL import Image
    from skimage import data

    gray = (data.lfw_subset()[index] * 255).astype(np.uint8)
    canvas = Image.new("RGB", size, (128, 128, 128))
    picture = Image.fromarray(gray).convert("RGB").resize((face, face), Image.BICUBIC)
    canvas.paste(picture, ((size[0] - face) // 2, (size[1] - face) // 2))
    canvas.save(path)
    return path


#: LFW samples the engine reads as the saddest (sad 0.89) and as happy (1.00): real faces, but
#: two people's photos, not one person crying and then laughing (no registry package ships one).
LFW_SAD, LFW_HAPPY = 65, 94


def reaction_video(path: Path, parts: list[tuple[Path | None, float]], *, fps: int = 25,
                   size: tuple[int, int] = (1280, 720)) -> Path:
    """An H.264 mp4 showing each picture for its seconds (``None``: an empty grey room)."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y"]
    for picture, seconds in parts:
        if picture is None:
            cmd += ["-f", "lavfi", "-t", str(seconds), "-i",
                    f"color=c=gray:s={size[0]}x{size[1]}:r={fps}"]
        else:
            cmd += ["-loop", "1", "-framerate", str(fps), "-t", str(seconds), "-i", str(picture)]
    inputs = "".join(f"[{i}:v]scale={size[0]}:{size[1]},setsar=1[v{i}];"
                     for i in range(len(parts)))
    joined = "".join(f"[v{i}]" for i in range(len(parts)))
    cmd += ["-filter_complex", f"{inputs}{joined}concat=n={len(parts)}:v=1:a=0,format=yuv420p",
            "-r", str(fps), "-c:v", "libx264", "-preset", "ultrafast", str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return path
