"""The smart cut: source packets copied between IDR frames, for the H.264 sources seen in
practice (B-frames or none, open GOPs, Matroska), and only the edges re-encoded."""

from __future__ import annotations

from pathlib import Path

import pytest

from render import probe_media, render_clip
from tests.render.helpers import (
    FPS,
    Sources,
    assert_frames_match,
    decode_errors,
    decode_errors_without_inband_parameter_sets,
    decode_grey,
    expected_frames,
    frame_md5s,
    make_video,
    video_packets,
)


def test_smart_cut_copies_the_frames_between_keyframes(sources: Sources, tmp_path: Path) -> None:
    """Between the first and last IDR frame inside the clip the source's packets are copied,
    so those frames decode bit for bit as the source's own; only the edges are re-encoded."""
    result = render_clip(sources.av, 1.3, 6.7, tmp_path / "clip.mp4")

    clip, source = frame_md5s(result.path), frame_md5s(sources.av)
    first = expected_frames(1.3, 6.7, 12)[0]  # source frame 39
    copied = range(2 * FPS, 6 * FPS)  # from the IDR at 2 s up to the one at 6 s
    assert [clip[k - first] for k in copied] == [source[k] for k in copied]
    assert clip[0] != source[first]  # the head was re-encoded (it cannot be copied)


VARIANTS = {
    # Phones and screen recorders: Main profile, no B-frames (no reorder delay to carry).
    "main-no-b-frames": ("variant.mp4", ("-profile:v", "main", "-bf", "0")),
    # Open GOPs: keyframes that are not IDR pictures cannot start a copied run.
    "open-gop": ("variant.mp4", ("-bf", "3", "-x264-params", "open-gop=1")),
    # Matroska (yt-dlp's merge format): millisecond timestamps, an index that seeks loosely.
    "matroska": ("variant.mkv", ("-profile:v", "high", "-bf", "2")),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_h264_sources_give_exact_clips(tmp_path: Path, variant: str) -> None:
    name, x264 = VARIANTS[variant]
    source = make_video(tmp_path / name, 6, x264=x264)

    result = render_clip(source, 1.3, 4.7, tmp_path / "clip.mp4")

    assert_frames_match(decode_grey(result.path), decode_grey(source),
                        expected_frames(1.3, 4.7, 6))
    assert decode_errors(result.path) == ""
    assert decode_errors_without_inband_parameter_sets(result.path, tmp_path) == ""
    info = probe_media(result.path)
    assert abs(info.duration - 3.4) <= 0.1 and info.audio_codec == "aac"
    dts = [d for d, _, _ in video_packets(result.path)]
    assert dts == sorted(set(dts))


def test_clip_between_two_keyframes_is_a_lossless_copy(sources: Sources, tmp_path: Path) -> None:
    result = render_clip(sources.av, 2.0, 6.0, tmp_path / "clip.mp4")

    assert frame_md5s(result.path) == frame_md5s(sources.av)[2 * FPS:6 * FPS]
