"""render: frame-exact clips, 9:16 crops, thumbnails, atomic writes, upload probing.

Every source is generated at run time with ffmpeg's lavfi sources (testsrc2 moves every
frame, so neighbouring frames are easy to tell apart). Frames are compared after decoding,
downscaled to grey 160x90: a frame matches its source frame at > 40 dB and its neighbours at
< 32 dB, so "the right frame" is unambiguous.
"""

from __future__ import annotations

import math
import stat
import struct
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import render
from render import MediaError, probe_media, render_clip

FPS = 30
GOP = 60  # an IDR frame every 2 s: 0, 2, 4, 6, 8, 10
W, H = 160, 90


@dataclass(frozen=True)
class Sources:
    av: Path  # 12 s, 640x360, H.264 High with B-frames, AAC stereo
    silent: Path  # 6 s, no audio
    mpeg4: Path  # 4 s, MPEG-4 part 2 video: cannot be smart-cut
    av_frames: np.ndarray  # every decoded frame of `av`, grey 160x90


def ffmpeg() -> str:
    return render.find_ffmpeg()


def run_ffmpeg(*args: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", *args],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc


def make_video(path: Path, seconds: float, *, audio: bool = True, codec: str = "libx264",
               x264: tuple[str, ...] = ("-profile:v", "high", "-bf", "3")) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc2=s=640x360:r={FPS}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}"]
    if codec == "libx264":
        # Like a typical download (by default): High profile, B-frames, a fixed GOP of IDRs.
        args += ["-c:v", "libx264", "-preset", "veryfast", *x264, "-g", str(GOP),
                 "-keyint_min", str(GOP), "-sc_threshold", "0", "-pix_fmt", "yuv420p"]
    else:
        args += ["-c:v", codec, "-q:v", "3", "-g", str(GOP)]
    if audio:
        codec_args = ["-c:a", "libopus"] if path.suffix == ".mkv" else ["-c:a", "aac"]
        args += [*codec_args, "-ac", "2", "-b:a", "128k"]
    if path.suffix == ".mp4":
        args += ["-movflags", "+faststart"]
    run_ffmpeg(*args, "-y", str(path))
    return path


def decode_grey(path: Path, *, portrait: bool = False, crop: bool = False) -> np.ndarray:
    """Every frame, as stored (no frame-rate conversion), downscaled to grey 160x90 (90x160
    when ``portrait``), after the renderer's own 9:16 centre crop when ``crop``."""
    w, h = (H, W) if portrait else (W, H)
    crop_filter = f"{render.VERTICAL_FILTER}," if crop else ""
    out = run_ffmpeg("-i", str(path), "-map", "0:V:0", "-fps_mode", "passthrough",
                     "-vf", f"{crop_filter}scale={w}:{h}:flags=area", "-f", "rawvideo",
                     "-pix_fmt", "gray", "-").stdout
    return np.frombuffer(out, np.uint8).reshape(-1, h, w).astype(np.float64)


def frame_md5s(path: Path) -> list[str]:
    out = run_ffmpeg("-i", str(path), "-map", "0:V:0", "-fps_mode", "passthrough",
                     "-f", "framemd5", "-").stdout.decode()
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines()
            if line and not line.startswith("#")]


def video_packets(path: Path) -> list[tuple[int, int, int]]:
    """(dts, pts, duration) of every video packet, in file order, as stored."""
    out = run_ffmpeg("-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc",
                     "-").stdout.decode()
    return [tuple(int(v) for v in line.split(",")[1:4])  # type: ignore[misc]
            for line in out.splitlines() if line and not line.startswith("#")]


def decode_errors_without_inband_parameter_sets(path: Path, tmp_path: Path) -> str:
    """Decode errors once SPS/PPS NAL units inside the samples are removed: what a player that
    reads parameter sets only from the sample description (avcC) would see."""
    stripped = tmp_path / "stripped.mp4"
    run_ffmpeg("-i", str(path), "-map", "0:v:0", "-c", "copy", "-bsf:v",
               "filter_units=remove_types=7|8", "-y", str(stripped))
    return decode_errors(stripped)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def expected_frames(start: float, end: float, total: float) -> range:
    """Indices of the source frames shown in [start, min(end, total)), computed exactly."""
    lo, hi = Fraction(str(start)), min(Fraction(str(end)), Fraction(str(total)))
    first = math.ceil(lo * FPS)
    last = math.ceil(hi * FPS) - 1
    return range(first, last + 1)


def decode_errors(path: Path) -> str:
    proc = subprocess.run([ffmpeg(), "-nostdin", "-v", "error", "-i", str(path), "-f", "null",
                           "-"], capture_output=True, check=False)
    return proc.stderr.decode() + ("" if proc.returncode == 0 else f"exit {proc.returncode}")


def top_level_boxes(path: Path) -> list[bytes]:
    data, pos, kinds = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
        kinds.append(kind)
        pos += size if size else len(data)
    return kinds


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    root = tmp_path_factory.mktemp("render-sources")
    av = make_video(root / "av.mp4", 12)
    return Sources(
        av=av,
        silent=make_video(root / "silent.mp4", 6, audio=False),
        mpeg4=make_video(root / "mpeg4.mp4", 4, codec="mpeg4"),
        av_frames=decode_grey(av),
    )


def assert_frames_match(clip: np.ndarray, source: np.ndarray, indices: range) -> None:
    assert len(clip) == len(indices)
    for i, k in enumerate(indices):
        score = psnr(clip[i], source[k])
        assert score > 40, f"frame {i} (source frame {k}) differs: {score:.1f} dB"
    # The first frame is that exact source frame, not a neighbour.
    first = indices[0]
    for neighbour in (first - 1, first + 1):
        if 0 <= neighbour < len(source):
            assert psnr(clip[0], source[neighbour]) < psnr(clip[0], source[first]) - 8


# ---------------------------------------------------------------------------------------------
# render_clip, source aspect

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
# 9:16 and thumbnails


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


def test_ffmpeg_can_be_chosen_by_environment(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    real = ffmpeg()
    monkeypatch.setenv(render.FFMPEG_ENV, str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(MediaError, match="not available"):
        render.find_ffmpeg()
    assert render.find_ffmpeg(real) == real  # an explicit argument wins over the environment
    link = tmp_path / "my-ffmpeg"
    link.symlink_to(real)
    monkeypatch.setenv(render.FFMPEG_ENV, str(link))
    assert render.find_ffmpeg() == str(link)


# ---------------------------------------------------------------------------------------------
# probe_media (upload validation)


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
