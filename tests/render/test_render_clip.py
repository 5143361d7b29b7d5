"""render_clip at the source's aspect: exact frames, durations, streams, audio, atomic writes."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from render import MediaError, probe_media, render_clip
from tests.render.helpers import (
    FPS,
    Sources,
    assert_frames_match,
    decode_errors,
    decode_errors_without_inband_parameter_sets,
    decode_grey,
    expected_frames,
    ffmpeg,
    run_ffmpeg,
    top_level_boxes,
    video_packets,
)

# IDR frames every 2 s. The ranges cover: head + copy + tail, a start on an IDR frame with an
# end on one (pure copy), a start on an IDR with no full GOP (tail only), a range with no IDR
# inside (whole re-encode), and starts/ends between frames.
RANGES = [(1.3, 6.7), (0.55, 5.05), (2.0, 6.0), (4.0, 5.5), (5.2, 5.9), (3.91, 9.23)]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_clip_has_exact_frames_duration_and_streams(sources: Sources, tmp_path: Path,
                                                    start: float, end: float) -> None:
    result = render_clip(sources.av, start, end, tmp_path / "clip.mp4")

    indices = expected_frames(start, end, 12)
    assert result.path == tmp_path / "clip.mp4"
    assert abs(result.duration - (end - start)) <= 0.1
    assert result.duration == pytest.approx(len(indices) / FPS, abs=1e-3)
    assert (result.width, result.height) == (640, 360)
    assert decode_errors(result.path) == ""
    info = probe_media(result.path)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.has_video and info.has_audio
    assert abs(info.duration - (end - start)) <= 0.1
    assert (info.width, info.height) == (640, 360)
    assert_frames_match(decode_grey(result.path), sources.av_frames, indices)
    kinds = top_level_boxes(result.path)
    assert kinds.index(b"moov") < kinds.index(b"mdat"), "not +faststart"
    # A clean timeline at the joins: DTS strictly increasing, every sample one frame long.
    packets = video_packets(result.path)
    assert all(a[0] < b[0] for a, b in zip(packets, packets[1:], strict=False))
    durations = {duration for _, _, duration in packets}
    assert len(durations) == 1, f"uneven sample durations {sorted(durations)}"
    assert sorted(pts for _, pts, _ in packets) == [
        packets[0][2] * i for i in range(len(packets))
    ]
    assert decode_errors_without_inband_parameter_sets(result.path, tmp_path) == ""


def test_audio_covers_the_clip(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.av, 1.3, 6.7, tmp_path / "clip.mp4")

    out = run_ffmpeg("-i", str(result.path), "-map", "0:a:0", "-f", "s16le", "-ac", "1",
                     "-ar", "48000", "-").stdout
    samples = np.frombuffer(out, np.int16).astype(np.float64)
    assert len(samples) / 48000 == pytest.approx(5.4, abs=0.03)
    # A 440 Hz sine all along: no silent gap at the joins.
    windows = samples[: len(samples) // 480 * 480].reshape(-1, 480)
    assert np.sqrt((windows ** 2).mean(axis=1)).min() > 1000


def test_end_is_clamped_to_the_end_of_the_source(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.av, 10.5, 99, tmp_path / "clip.mp4")

    assert result.duration == pytest.approx(1.5, abs=0.04)
    assert_frames_match(decode_grey(result.path), sources.av_frames, expected_frames(10.5, 99, 12))
    assert decode_errors(result.path) == ""


def test_source_without_audio_gives_a_clip_without_audio(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.silent, 0.5, 3.5, tmp_path / "clip.mp4")

    info = probe_media(result.path)
    assert info.has_video and not info.has_audio
    assert abs(info.duration - 3.0) <= 0.1
    assert len(decode_grey(result.path)) == len(expected_frames(0.5, 3.5, 6))
    assert decode_errors(result.path) == ""


def test_other_codecs_are_re_encoded_exactly(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.mpeg4, 0.7, 3.1, tmp_path / "clip.mp4")

    assert probe_media(result.path).video_codec == "h264"
    source_frames = decode_grey(sources.mpeg4)
    assert_frames_match(decode_grey(result.path), source_frames, expected_frames(0.7, 3.1, 4))


def test_rotated_source_is_rendered_upright(sources: Sources, tmp_path: Path) -> None:
    rotated = tmp_path / "rotated.mp4"
    run_ffmpeg("-display_rotation", "90", "-i", str(sources.silent), "-c", "copy", str(rotated))
    assert (probe_media(rotated).width, probe_media(rotated).height) == (360, 640)

    result = render_clip(rotated, 1.1, 2.9, tmp_path / "clip.mp4")

    assert (result.width, result.height) == (360, 640)
    assert len(decode_grey(result.path)) == len(expected_frames(1.1, 2.9, 6))


# ---------------------------------------------------------------------------------------------
# Arguments, atomic writes, clean-up


def test_invalid_ranges_are_refused(sources: Sources, tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    with pytest.raises(ValueError, match="negative"):
        render_clip(sources.av, -1, 3, out)
    with pytest.raises(ValueError, match="after start"):
        render_clip(sources.av, 3, 3, out)
    with pytest.raises(ValueError, match="finite"):
        render_clip(sources.av, float("nan"), 3, out)
    with pytest.raises(ValueError, match="aspect"):
        render_clip(sources.av, 1, 3, out, aspect="4:3")
    with pytest.raises(MediaError, match="after the end"):
        render_clip(sources.av, 12.5, 14, out)
    with pytest.raises(MediaError, match="not found"):
        render_clip(tmp_path / "missing.mp4", 1, 3, out)
    assert list(tmp_path.iterdir()) == []


def test_success_leaves_only_the_clip_and_its_thumbnail(sources: Sources, tmp_path: Path) -> None:
    render_clip(sources.av, 0.55, 5.05, tmp_path / "clip.mp4")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.jpg", "clip.mp4"]


def test_failure_midway_leaves_nothing_behind(sources: Sources, tmp_path: Path) -> None:
    """An ffmpeg that fails at the final join (after the segments were written) must not
    leave segments, temp directories or a partial clip behind, nor touch an existing clip."""
    failing = tmp_path / "bin" / "ffmpeg"
    failing.parent.mkdir()
    failing.write_text(f'#!/bin/sh\ncase "$*" in *concat*) exit 1;; esac\nexec "{ffmpeg()}" "$@"\n')
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "clip.mp4").write_bytes(b"previous clip")

    with pytest.raises(MediaError, match="could not be rendered"):
        render_clip(sources.av, 1.3, 6.7, out_dir / "clip.mp4", ffmpeg=str(failing))

    assert sorted(p.name for p in out_dir.iterdir()) == ["clip.mp4"]
    assert (out_dir / "clip.mp4").read_bytes() == b"previous clip"


def test_unreadable_source_fails_cleanly(tmp_path: Path) -> None:
    source = tmp_path / "notes.mp4"
    source.write_text("not a video at all\n" * 50)
    out_dir = tmp_path / "out"

    with pytest.raises(MediaError):
        render_clip(source, 0, 2, out_dir / "clip.mp4")

    assert not out_dir.exists() or list(out_dir.iterdir()) == []
