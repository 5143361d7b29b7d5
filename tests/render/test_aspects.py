"""Aspect ratios: the names render_clip accepts, and the 9:16 centre crop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import render
from render import probe_media, render_clip
from tests.render.helpers import H, Sources, W, decode_errors, decode_grey, expected_frames, psnr


def test_aspects_are_named_once() -> None:
    assert render.ASPECTS == ("source", "9:16", "1:1", "4:5") == tuple(render.ASPECT_RATIOS)
    assert render.ASPECT_RATIOS["source"].filter is None
    assert render.ASPECT_RATIOS["source"].keeps_source_frame
    assert render.ASPECT_RATIOS["9:16"].filter == render.VERTICAL_FILTER
    assert render.ASPECT_RATIOS["9:16"].size == (1080, 1920)
    assert not render.ASPECT_RATIOS["9:16"].keeps_source_frame
    assert render.ASPECT_RATIOS["9:16"].ratio == (9, 16)
    assert (render.ASPECT_RATIOS["1:1"].size, render.ASPECT_RATIOS["4:5"].size) == (
        (1080, 1080), (1080, 1350))


@pytest.mark.slow
def test_vertical_clip_is_a_1080x1920_centre_crop(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.av, 1.3, 3.3, tmp_path / "short.mp4", aspect="9:16")

    assert (result.width, result.height) == (1080, 1920)
    info = probe_media(result.path)
    assert (info.width, info.height) == (1080, 1920)
    assert abs(info.duration - 2.0) <= 0.1 and info.has_audio
    assert decode_errors(result.path) == ""
    clip = decode_grey(result.path, portrait=True)
    source = decode_grey(sources.av, portrait=True, crop=True)  # the source's centre crop
    indices = expected_frames(1.3, 3.3, 12)
    assert len(clip) == len(indices)
    assert all(psnr(clip[i], source[k]) > 35 for i, k in enumerate(indices))
    # Centred: the same picture as the middle of the source frame, not its left or right.
    full = decode_grey(sources.av, portrait=False)[indices[0]]
    middle = np.asarray(Image.fromarray(full[:, 55:105].astype(np.uint8)).resize((H, W)),
                        np.float64)
    left = np.asarray(Image.fromarray(full[:, :50].astype(np.uint8)).resize((H, W)), np.float64)
    assert psnr(clip[0], middle) > psnr(clip[0], left) + 3
    with Image.open(result.thumbnail) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.height == 720 and thumb.width in (404, 406)
