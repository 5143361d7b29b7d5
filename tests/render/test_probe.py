"""probe_media (upload validation), and the parser of ffmpeg's ``-i`` description."""

from __future__ import annotations

from pathlib import Path

import pytest

from render import MediaError, probe_media
from render.header import channel_count, parse_header, split_top_level
from tests.render.helpers import Sources, run_ffmpeg


def test_probe_describes_a_good_video(sources: Sources) -> None:
    info = probe_media(sources.av)

    assert info.duration == pytest.approx(12.0, abs=0.05)
    assert (info.width, info.height, info.fps) == (640, 360, 30.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.has_video and info.has_audio


def test_probe_rejects_a_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    path.write_text("These are my notes, not a video.\n" * 100)
    with pytest.raises(MediaError, match="not a video"):
        probe_media(path)


@pytest.mark.parametrize("faststart", [True, False])
def test_probe_rejects_a_truncated_mp4(sources: Sources, tmp_path: Path, faststart: bool) -> None:
    whole = tmp_path / "whole.mp4"
    flags = "+faststart" if faststart else "-faststart"
    run_ffmpeg("-i", str(sources.av), "-c", "copy", "-movflags", flags, str(whole))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 6 // 10])

    with pytest.raises(MediaError, match="damaged or incomplete"):
        probe_media(cut)


def test_probe_rejects_audio_only_and_images(sources: Sources, tmp_path: Path) -> None:
    audio = tmp_path / "song.m4a"
    run_ffmpeg("-i", str(sources.av), "-vn", "-c", "copy", str(audio))
    with pytest.raises(MediaError, match="no video stream"):
        probe_media(audio)
    described = probe_media(audio, require_video=False)
    assert not described.has_video and described.has_audio
    assert described.duration == pytest.approx(12.0, abs=0.05)

    image = tmp_path / "picture.mp4"
    png = tmp_path / "picture.png"
    run_ffmpeg("-i", str(sources.av), "-frames:v", "1", str(png))
    image.write_bytes(png.read_bytes())
    with pytest.raises(MediaError, match="still image"):
        probe_media(image)


def test_probe_rejects_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        probe_media(empty)
    with pytest.raises(MediaError, match="not found"):
        probe_media(tmp_path / "missing.mp4")


# ---------------------------------------------------------------------------------------------
# Parsing what `ffmpeg -i` prints (no ffmpeg run)

ROTATED_51 = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'y.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:01:02.50, start: 0.023220, bitrate: 997 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), \
640x360 [SAR 1:1 DAR 16:9], 798 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
    Metadata:
      handler_name    : VideoHandler
    Side data:
      Display Matrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1, fltp, 174 kb/s
  Stream #0:2[0x3]: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x600 \
[SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> wrapped_avframe (native))
"""


def test_header_is_parsed_from_ffmpeg_text() -> None:
    header = parse_header("ffmpeg version n9\n" + ROTATED_51)

    assert header is not None
    assert header.format_name == "mov,mp4,m4a,3gp,3g2,mj2"
    assert header.duration == pytest.approx(62.5)
    assert header.start == pytest.approx(0.02322)
    assert len(header.streams) == 3  # nothing after "Stream mapping"
    video, audio = header.video, header.audio
    assert video is not None and audio is not None
    assert (video.codec, video.width, video.height, video.fps) == ("h264", 640, 360, 29.97)
    assert (video.pix_fmt, video.rotation) == ("yuv420p", -90.0)
    assert (audio.codec, audio.channels) == ("aac", 6)
    cover = header.streams[2]
    assert cover.attached_pic and cover.fps == 90000.0 and video is not cover


def test_header_without_input_or_duration() -> None:
    assert parse_header("x.mp4: Invalid data found when processing input\n") is None
    header = parse_header("Input #0, matroska,webm, from 'a.mkv':\n  Duration: N/A, start: 1.5\n")
    assert header is not None and header.duration is None and header.start == 1.5
    assert header.video is None and header.audio is None


@pytest.mark.parametrize(("layout", "channels"), [
    ("mono", 1), ("stereo", 2), ("5.1(side)", 6), ("7.1", 8), ("3 channels", 3), ("odd", 2),
])
def test_channel_layouts(layout: str, channels: int) -> None:
    assert channel_count(layout) == channels


def test_split_top_level_keeps_parenthesised_commas() -> None:
    assert split_top_level("h264 (High), yuv420p(tv, bt709), 1x1 [SAR 1:1, x]") == [
        "h264 (High)", " yuv420p(tv, bt709)", " 1x1 [SAR 1:1, x]"]
