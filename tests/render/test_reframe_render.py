"""Rendering a face-tracked 9:16 clip: real ffmpeg, the real full-range detector, generated
footage of real face photos with a cut in the middle; the fit layout on a video without faces."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import render
from bench.footage import Footage, no_face, two_person
from emotion.detection import VideoFaceFinder
from render import RenderOptions, render_clip
from tests.render.helpers import run_ffmpeg

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def finder() -> VideoFaceFinder:
    return VideoFaceFinder(MODELS)


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Footage:
    return two_person(tmp_path_factory.mktemp("faces") / "two.mp4", render.find_ffmpeg(),
                      seconds=4.0, size=(960, 540), fps=25, head_height=230)


def frames(path: Path, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    raw = run_ffmpeg("-i", str(path), "-vf", f"scale={width}:{height}", "-f", "rawvideo",
                     "-pix_fmt", "gray", "pipe:1").stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.float64)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.mark.slow
def test_the_face_stays_in_a_9_16_crop_across_a_cut(footage: Footage, finder: VideoFaceFinder,
                                                     tmp_path: Path) -> None:
    result = render_clip(footage.path, 0.0, 4.0, tmp_path / "short.mp4",
                         options=RenderOptions(aspect="9:16"), find_faces=finder)

    assert (result.width, result.height) == (1080, 1920)
    plan = result.reframe
    assert plan is not None
    assert [s.layout for s in plan.shots] == ["track", "track"]
    assert abs(plan.shots[0].end - footage.cut) <= 1 / footage.fps + 1e-6  # cut found
    crop_w, _ = plan.crop_size
    inside = 0
    for index, (x, _, w, _) in enumerate(footage.subject):
        left, _ = plan.crop_at(index / footage.fps)
        inside += left <= x and x + w <= left + crop_w
    assert inside / footage.frames >= 0.98
    # The pixels are the planned crop: frame 10 of the clip is the source's crop at the plan.
    out = frames(result.path, (216, 384))
    assert len(out) == footage.frames
    source = frames(footage.path, footage.size)
    left, _ = plan.crop_at(10 / footage.fps)
    expected = cv2.resize(source[10][:, left : left + crop_w], (216, 384),
                          interpolation=cv2.INTER_AREA)
    centre_x = (footage.size[0] - crop_w) // 2
    centred = cv2.resize(source[10][:, centre_x : centre_x + crop_w], (216, 384),
                         interpolation=cv2.INTER_AREA)
    assert psnr(out[10], expected) > 30
    assert psnr(out[10], expected) > psnr(out[10], centred) + 5  # not the centre crop


@pytest.mark.slow
def test_a_video_without_faces_gets_the_blurred_fit_layout(finder: VideoFaceFinder,
                                                           tmp_path: Path) -> None:
    video = no_face(tmp_path / "cup.mp4", render.find_ffmpeg(), seconds=2.0, size=(960, 540))
    result = render_clip(video.path, 0.0, 2.0, tmp_path / "short.mp4",
                         options=RenderOptions(aspect="9:16"), find_faces=finder)

    assert result.reframe is not None
    assert [(s.layout, s.reason) for s in result.reframe.shots] == [("fit", "no face")]
    out = frames(result.path, (270, 480))
    source = frames(video.path, (270, 152))
    # The whole frame, letterboxed in the middle (480 * 9/16 ... 152 rows of 270 wide) ...
    top = (480 - 152) // 2
    assert psnr(out[5][top + 4 : top + 148], source[5][4:148]) > 28
    # ... over a blurred copy: the bands above and below have almost no fine detail.
    band = out[5][10 : top - 10]
    detail = np.abs(np.diff(band, axis=1)).mean()
    picture_detail = np.abs(np.diff(out[5][top + 4 : top + 148], axis=1)).mean()
    assert detail < picture_detail / 3
    with Image.open(result.thumbnail) as thumb:
        assert thumb.size in ((404, 720), (406, 720))


@pytest.mark.slow
def test_framing_centre_and_fit_are_honoured(footage: Footage, finder: VideoFaceFinder,
                                             tmp_path: Path) -> None:
    centre = render_clip(footage.path, 0.0, 1.0, tmp_path / "c.mp4",
                         options=RenderOptions(aspect="1:1", framing="centre"),
                         find_faces=finder)
    fit = render_clip(footage.path, 0.0, 1.0, tmp_path / "f.mp4",
                      options=RenderOptions(aspect="4:5", framing="fit"), find_faces=finder)
    assert centre.reframe is None and (centre.width, centre.height) == (1080, 1080)
    assert fit.reframe is not None and fit.reframe.layouts == {"fit"}
    assert (fit.width, fit.height) == (1080, 1350)


def test_render_options_are_validated() -> None:
    with pytest.raises(ValueError, match="aspect"):
        RenderOptions(aspect="2:1")
    with pytest.raises(ValueError, match="framing"):
        RenderOptions(aspect="9:16", framing="zoom")  # type: ignore[arg-type]
    assert RenderOptions().reframes is False and RenderOptions(aspect="9:16").reframes
