"""Validating uploads: ``probe_media`` says what a file is, or why it is not a usable video.

A file whose header looks fine can still be truncated, so by default every packet is read
once (no decoding beyond the first frames) before the file is accepted.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import MediaError
from .header import Header, read_header
from .process import VIDEO_DEMUXERS, base_args, input_args, run
from .tools import find_ffmpeg

logger = logging.getLogger(__name__)

_IMAGE_FORMATS = re.compile(r"(^|,)(image2|image2pipe|[a-z0-9]+_pipe)(,|$)")
# Still images are not on the demuxer allow-list, so ffmpeg never names them: their magic.
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")
_MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")
_TIME_RE = re.compile(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)")
# With "-loglevel level+...", ffmpeg tags each line "[context @ 0x...] [error] message".
_SERIOUS = re.compile(r"\[(?:error|fatal|panic)\] ")


@dataclass(frozen=True)
class MediaInfo:
    """What ``probe_media`` learnt about a file.

    ``width``/``height`` are the displayed size (after any rotation metadata).
    """

    duration: float
    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    has_video: bool
    has_audio: bool


def probe_media(
    path: str | os.PathLike[str], *, ffmpeg: str | None = None, full_scan: bool = True,
    require_video: bool = True,
) -> MediaInfo:
    """Describe a media file, or raise MediaError saying why it is not a usable video.

    With ``full_scan`` (the default, meant for validating uploads) every packet is read and
    the first frames are decoded, so a truncated or corrupt file is rejected even when its
    header looks fine; this reads the whole file once (disk speed, no decoding of the rest).
    Without ``require_video``, an audio-only file is described (``has_video=False``) instead of
    being rejected.
    """
    source = Path(path).absolute()
    exe = find_ffmpeg(ffmpeg)
    if not source.is_file():
        raise MediaError("The video file was not found.")
    if source.stat().st_size == 0:
        raise MediaError("The file is empty.")
    header, text = read_header(source, exe)
    if header is None:
        logger.info("probe %s: not recognised: %s", source.name, text.strip().splitlines()[-1:])
        if "moov atom not found" in text and _looks_like_mp4(source):
            # An MP4 whose index is missing: typically an interrupted upload or download.
            raise MediaError("The video file is damaged or incomplete.")
        if _looks_like_image(source):
            raise MediaError("This file is a still image, not a video.")
        raise MediaError("This file is not a video (its format was not recognised).")
    if _IMAGE_FORMATS.search(header.format_name):
        raise MediaError("This file is a still image, not a video.")
    if not set(header.format_name.split(",")) & set(VIDEO_DEMUXERS):
        raise MediaError("This file's format is not accepted (use MP4, MOV, MKV, WebM, AVI or "
                         "MPEG-TS).")
    video, audio = header.video, header.audio
    if video is None and require_video:
        raise MediaError("This file is not a video (it has no video stream).")
    if video is None and audio is None:
        raise MediaError("This file is not a video (it has no video or audio stream).")
    duration = header.duration
    if full_scan:
        reached = _scan_whole_file(source, exe, header)
        duration = duration or reached
    if not duration or duration <= 0:
        raise MediaError("The video has no length.")
    width = height = None
    if video is not None:
        width, height = video.width, video.height
        if width and height and round(video.rotation) % 180 == 90:
            width, height = height, width
    return MediaInfo(
        duration=round(duration, 3),
        width=width,
        height=height,
        fps=video.fps if video else None,
        video_codec=video.codec if video else None,
        audio_codec=audio.codec if audio else None,
        has_video=video is not None,
        has_audio=audio is not None,
    )


def _looks_like_image(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    if head.startswith(b"RIFF"):
        return head[8:12] == b"WEBP"
    return head.startswith(_IMAGE_MAGIC)


def _looks_like_mp4(path: Path) -> bool:
    """Whether the file starts like an ISO media file (so a failure to read it means damage,
    not a file of another kind that merely has an .mp4 name)."""
    with path.open("rb") as handle:
        head = handle.read(12)
    return len(head) >= 8 and head[4:8] in _MP4_BOXES


def _scan_whole_file(source: Path, ffmpeg: str, header: Header) -> float | None:
    """Read every packet and decode the first frames; raise MediaError on damage. Returns the
    time ffmpeg reached (a fallback duration for containers that do not state one).

    Damage means an error from the demuxer (a truncated file: "partial file", unreadable
    sample tables) or no decodable picture at the start. Decoder complaints about single
    frames are tolerated: plenty of playable camera and screen-capture files have them.
    """
    maps = (["-map", "0:V:0"] if header.video else []) + (["-map", "0:a:0"] if header.audio else [])
    cmd = [*base_args(ffmpeg, "repeat+level+error"), "-stats", *input_args(source),
           *maps, "-c", "copy", "-f", "null", "-"]
    if header.video:
        cmd += ["-map", "0:V:0", "-frames:v", "3", "-f", "framecrc", "pipe:1"]
    proc = run(cmd, what="scan", check=False)
    text = proc.stderr.decode("utf-8", "replace")
    demuxer_errors = [line for line in text.splitlines()
                      if _SERIOUS.search(line) and line.startswith("[in#")]
    decoded = sum(1 for line in proc.stdout.splitlines() if line and not line.startswith(b"#"))
    if proc.returncode != 0 or demuxer_errors or (header.video and decoded == 0):
        logger.info("probe %s: damaged (exit %s, %s frames): %s", source.name, proc.returncode,
                    decoded, demuxer_errors[:3] or text.strip().splitlines()[-3:])
        raise MediaError("The video file is damaged or incomplete.")
    reached = _TIME_RE.findall(text)
    if not reached:
        return None
    hours, minutes, seconds = reached[-1]
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
