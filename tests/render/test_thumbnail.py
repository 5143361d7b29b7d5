"""Thumbnails: a JPEG of the clip, near its middle by default or at a given source time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from render import render_clip
from tests.render.helpers import FPS, H, Sources, W, psnr


def test_thumbnail_is_a_jpeg_of_the_clip(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.av, 1.3, 6.7, tmp_path / "clip.mp4")

    assert result.thumbnail == tmp_path / "clip.jpg"
    data = result.thumbnail.read_bytes()
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    with Image.open(result.thumbnail) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (640, 360)
        grey = np.asarray(thumb.convert("L").resize((W, H), Image.Resampling.BOX), np.float64)
    # A frame from inside the clip, near its middle (4.0 s).
    scores = [psnr(grey, frame) for frame in sources.av_frames]
    best = int(np.argmax(scores))
    assert scores[best] > 30
    assert abs(best / FPS - 4.0) <= 1.0


def test_thumbnail_at_a_given_time(sources: Sources, tmp_path: Path) -> None:
    thumb_path = tmp_path / "thumbs" / "peak.jpg"
    result = render_clip(sources.av, 1.3, 6.7, tmp_path / "clip.mp4", thumbnail=thumb_path,
                         thumbnail_at=5.1)

    assert result.thumbnail == thumb_path and thumb_path.is_file()
    with Image.open(thumb_path) as thumb:
        grey = np.asarray(thumb.convert("L").resize((W, H), Image.Resampling.BOX), np.float64)
    scores = [psnr(grey, frame) for frame in sources.av_frames]
    assert int(np.argmax(scores)) == 153  # the frame shown at 5.1 s
