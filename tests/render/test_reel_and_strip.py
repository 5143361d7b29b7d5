"""render.reel (moviepy composition of cut segments) and render.strip (the editor's strip)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from render import MediaError, probe_media, render_clip, thumbnail_strip
from render.reel import CROSSFADE, TITLE_CARD, ReelSegment, compose_reel
from render.strip import MAX_FRAMES, strip_times
from tests.media import make_video


@pytest.fixture(scope="module")
def cuts(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reel")
    source = make_video(folder / "src.mp4", seconds=20)
    return [render_clip(source, a, b, folder / f"cut{i}.mp4").path
            for i, (a, b) in enumerate([(1, 4), (8, 12), (15, 17)])]


def test_reel_duration_counts_cards_and_crossfades(cuts, tmp_path):
    segments = [ReelSegment(c, f"#{i} · 0:0{i} · 3 viewers") for i, c in enumerate(cuts, 1)]
    result = compose_reel(segments, tmp_path / "reel.mp4", thumbnail=tmp_path / "reel.jpg",
                          title_cards=True)
    expected = 3 + 4 + 2 + 3 * TITLE_CARD - 5 * CROSSFADE
    assert result.duration == pytest.approx(expected, abs=0.05)
    info = probe_media(result.path)
    assert info.duration == pytest.approx(expected, abs=0.1) and info.has_audio
    assert (tmp_path / "reel.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left behind


def test_reel_without_cards_is_the_cuts_minus_the_fades(cuts, tmp_path):
    result = compose_reel([ReelSegment(c) for c in cuts], tmp_path / "reel.mp4",
                          thumbnail=tmp_path / "reel.jpg", title_cards=False)
    assert result.duration == pytest.approx(9 - 2 * CROSSFADE, abs=0.05)


def test_bad_reels(cuts, tmp_path):
    with pytest.raises(ValueError):
        compose_reel([], tmp_path / "x.mp4", thumbnail=tmp_path / "x.jpg")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video" * 100)
    with pytest.raises(MediaError):
        compose_reel([ReelSegment(cuts[0]), ReelSegment(junk)], tmp_path / "x.mp4",
                     thumbnail=tmp_path / "x.jpg")
    assert not (tmp_path / "x.mp4").exists()


def test_strip(tmp_path):
    source = make_video(tmp_path / "src.mp4", seconds=10)
    out = thumbnail_strip(source, 0, 10, tmp_path / "strip.jpg", frames=5, height=48)
    with Image.open(out) as image:
        assert (image.width, image.height) == (5 * 64, 48)
    assert strip_times(0, 10, 5) == [1, 3, 5, 7, 9]
    for bad in ({"frames": 0}, {"frames": MAX_FRAMES + 1}, {"height": 8}, {"height": 1000}):
        with pytest.raises(ValueError):
            thumbnail_strip(source, 0, 10, tmp_path / "x.jpg", **bad)
    with pytest.raises(ValueError):
        thumbnail_strip(source, 5, 5, tmp_path / "x.jpg")
    with pytest.raises(MediaError):
        thumbnail_strip(tmp_path / "missing.mp4", 0, 5, tmp_path / "x.jpg")
