"""Cut clips out of a video file with ffmpeg, and check that uploaded files are usable videos.

Pure module: no Django. It drives the ffmpeg binary that ``imageio-ffmpeg`` ships (there is no
ffprobe, so probing reads what ``ffmpeg -i`` prints); ``SHORTORY_FFMPEG`` or the ``ffmpeg``
argument point it at another binary.

How a clip is rendered
----------------------
``aspect="source"`` uses a *smart cut* when the source allows it. Re-encoding a whole clip is
what makes a naive ``ffmpeg -ss S -t D -c:v libx264`` slow, and copying it (``-c copy``) snaps
the start to a keyframe. So, for an H.264 source::

    S          K1 (first IDR frame at or after S)    Kn (last IDR up to E)         E
    |-- head --|----------- copied packets ------------|----------- tail -----------|
     re-encoded          bit-exact from the source               re-encoded

Only the head and the tail (on average one GOP together) go through the encoder. For the
pieces to form one valid H.264 stream:

* the head and tail are encoded with the source's profile, level, size, pixel format and time
  base, without B-frames, and with their own SPS/PPS ids (x264 ``sps-id``) that the source
  does not use; the output's ``avcC`` lists the source's parameter sets *and* theirs, so every
  slice finds its parameter set without any in-band switching (plain, conformant ``avc1``);
* their decoding timestamps are shifted by the source's reorder delay, so DTS stays monotonic
  across the joins (the copied part starts with its B-frame delay);
* the cut points are IDR frames and the copied packets are checked to display exactly the
  frames between them (no open-GOP leading pictures).

The audio is re-encoded to AAC for exactly the clip's range (cheap, and sample-accurate).
Whenever one of these conditions does not hold (another codec, 10-bit or 4:2:2 video,
interlacing, rotation metadata, open GOPs, a clip with no IDR inside, ...), the clip is
re-encoded in full instead; the result is the same, only slower.

``aspect="9:16"`` must re-encode every frame (centre crop scaled to 1080x1920). It uses x264
``superfast`` with macroblock-tree rate control at CRF 21 rather than ffmpeg's default
(``medium``, CRF 23): about half the CPU time of the whole pipeline (a third of the encoder's)
at an equal or better SSIM, for ~25-40% more bytes (bench/clips.py prints the figures).

Boundaries: the clip holds the source frames whose presentation time t satisfies
``start <= t < end`` (within 1 ms), like ``ffmpeg -ss start -t (end-start)``; its duration is
that many frames. ``end`` is clamped to the source's duration. Sources without audio give
clips without an audio track (no silent track is invented). Before a clip is moved into
place its frame count is checked against the plan (a cheap packet count, no decoding).

Thumbnail: a JPEG at most 720 px high, square pixels. Without ``thumbnail_at`` it is the
keyframe nearest the clip's middle (it decodes on its own, where an arbitrary frame needs up
to a GOP decoded); with it, exactly the frame shown at that source time.

Files: everything is written inside a hidden temporary directory next to ``out`` and moved
into place with ``os.replace`` (thumbnail first, then the clip), so no half-written file is
ever visible under the final names; the temporary directory is removed on success and on
failure.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

logger = logging.getLogger(__name__)

FFMPEG_ENV = "SHORTORY_FFMPEG"
ASPECTS = ("source", "9:16")

# x264 settings. "superfast" with macroblock-tree rate control turned back on (lookahead 10)
# costs about a third of ffmpeg's default ("medium") CPU time on 1080p; bench/clips.py checks
# that CRF 21 gives an SSIM at least equal to medium's default CRF 23 (at a higher bitrate).
X264_PRESET = "superfast"
X264_PARAMS = "rc-lookahead=10:mbtree=1"
FULL_CRF = 21
# The re-encoded head/tail of a smart cut sit next to copied source frames, so they get a
# lower CRF: ~47-50 dB PSNR against the decoded source, i.e. not visibly different from it.
SEGMENT_CRF = 18
# AAC bitrate per channel; clips are at most stereo. 80 kb/s a channel keeps a re-encoded
# 128 kb/s YouTube track transparent, and ffmpeg's AAC encoder gets slow far above that.
AUDIO_KBPS_PER_CHANNEL = 80
THUMBNAIL_MAX_HEIGHT = 720
# Centre crop to 9:16 (or, for sources narrower than that, to the full width), then scale.
VERTICAL_FILTER = (
    "crop=w='min(iw,trunc(ih*9/16/2)*2)':h='min(ih,trunc(iw*16/9/2)*2)',"
    "scale=1080:1920,setsar=1"
)
# A boundary this close to a frame's timestamp counts as on it (timestamps are rounded to
# microseconds or to the container's time base on the way in and out of ffmpeg).
BOUNDARY_TOLERANCE = 1e-3
# Longest any single ffmpeg run may take before the render is abandoned.
FFMPEG_TIMEOUT = 1800.0

_SMART_PROFILES = {66: "baseline", 77: "main", 100: "high"}
_SMART_PIX_FMTS = {"yuv420p", "yuvj420p"}
_IMAGE_FORMATS = re.compile(r"(^|,)(image2|image2pipe|[a-z0-9]+_pipe)(,|$)")


class MediaError(Exception):
    """A media file cannot be used or a clip cannot be rendered.

    ``str(error)`` is a complete sentence that can be shown to the user as it is; details for
    operators go to the log.
    """


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


@dataclass(frozen=True)
class RenderResult:
    """A rendered clip: the mp4, its JPEG thumbnail, and the clip's real duration and size."""

    path: Path
    thumbnail: Path
    duration: float
    width: int
    height: int


# --------------------------------------------------------------------------------------------
# ffmpeg plumbing


def find_ffmpeg(ffmpeg: str | None = None) -> str:
    """The ffmpeg executable to use: the argument, else ``$SHORTORY_FFMPEG``, else the binary
    bundled with imageio-ffmpeg. Raises MediaError when none is available."""
    candidate = ffmpeg or os.environ.get(FFMPEG_ENV)
    if not candidate:
        try:
            import imageio_ffmpeg  # imported lazily: only needed when nothing else is configured
        except ImportError as exc:
            raise MediaError("Video processing is not available (ffmpeg is missing).") from exc
        candidate = imageio_ffmpeg.get_ffmpeg_exe()
    resolved = shutil.which(candidate) if os.sep not in candidate else candidate
    if not resolved or not os.access(resolved, os.X_OK):
        raise MediaError("Video processing is not available (ffmpeg is missing).")
    return resolved


def _run(cmd: list[str], *, what: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    logger.debug("ffmpeg (%s): %s", what, " ".join(cmd))
    began = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaError("Processing the video took too long and was stopped.") from exc
    except OSError as exc:
        raise MediaError("Video processing is not available (ffmpeg could not start).") from exc
    logger.debug("ffmpeg (%s) took %.2f s", what, time.perf_counter() - began)
    if check and proc.returncode != 0:
        _log_failure(what, proc.returncode, proc.stderr)
        raise MediaError("The clip could not be rendered from this video.")
    return proc


def _log_failure(what: str, returncode: int, stderr: bytes) -> None:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-8:]
    logger.warning("ffmpeg %s failed (exit %s): %s", what, returncode, " | ".join(tail))


_Job = tuple[str, "subprocess.Popen[bytes]"]


def _start(cmd: list[str], *, what: str, started: list[_Job]) -> _Job:
    """Start ffmpeg in the background; ``started`` collects it so that the caller can stop
    whatever is still running when the render fails."""
    logger.debug("ffmpeg (%s): %s", what, " ".join(cmd))
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise MediaError("Video processing is not available (ffmpeg could not start).") from exc
    started.append((what, proc))
    return what, proc


def _stop_all(started: list[_Job]) -> None:
    for _, proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _wait_all(jobs: list[_Job]) -> None:
    """Wait for ffmpeg runs started together; if one fails, stop the others and raise."""
    failed: MediaError | None = None
    began = time.perf_counter()
    for what, proc in jobs:
        try:
            _, stderr = proc.communicate(timeout=FFMPEG_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failed = failed or MediaError("Processing the video took too long and was stopped.")
            continue
        logger.debug("ffmpeg (%s) done after %.2f s more", what, time.perf_counter() - began)
        if proc.returncode != 0 and failed is None:
            _log_failure(what, proc.returncode, stderr)
            failed = MediaError("The clip could not be rendered from this video.")
            for _, other in jobs:
                if other.poll() is None:
                    other.kill()
    if failed is not None:
        raise failed


def _base(ffmpeg: str, level: str = "error") -> list[str]:
    return [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", level]


def _secs(value: float) -> str:
    """A time for ffmpeg, rounded *down* to the microsecond so that seeking to a frame's
    exact timestamp never lands just after it (which would drop that frame)."""
    return f"{math.floor(max(value, 0.0) * 1_000_000) / 1_000_000:.6f}"


# --------------------------------------------------------------------------------------------
# Probing


@dataclass
class _Stream:
    kind: str  # "video" | "audio" | other
    codec: str
    line: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    pix_fmt: str | None = None
    attached_pic: bool = False
    rotation: float = 0.0
    channels: int = 2


@dataclass
class _Header:
    format_name: str
    duration: float | None
    start: float
    streams: list[_Stream] = field(default_factory=list)

    @property
    def video(self) -> _Stream | None:
        return next((s for s in self.streams if s.kind == "video" and not s.attached_pic), None)

    @property
    def audio(self) -> _Stream | None:
        return next((s for s in self.streams if s.kind == "audio"), None)


_INPUT_RE = re.compile(r"^Input #0, (?P<fmt>[^ ]+), from ")
_DURATION_RE = re.compile(
    r"Duration: (?:(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)|N/A)"
    r"(?:, start: (?P<start>-?\d+(?:\.\d+)?))?"
)
_STREAM_RE = re.compile(r"^\s*Stream #0:\d+[^:]*: (?P<kind>\w+): (?P<rest>.*)$")
_SIZE_RE = re.compile(r", (\d{1,5})x(\d{1,5})(?=[ ,\[]|$)")
_FPS_RE = re.compile(r", (\d+(?:\.\d+)?)(k?) (fps|tbr)")
_ROTATION_RE = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


def _parse_header(text: str) -> _Header | None:
    """Parse the description ``ffmpeg -i`` prints for input #0; None when there is none."""
    header: _Header | None = None
    current: _Stream | None = None
    for line in text.splitlines():
        if header is None:
            match = _INPUT_RE.match(line)
            if match:
                header = _Header(format_name=match["fmt"].rstrip(","), duration=None, start=0.0)
            continue
        if line.startswith(("Input #", "Output #", "Stream mapping")):
            break
        duration = _DURATION_RE.search(line)
        if duration and current is None:
            if duration["h"] is not None:
                header.duration = (int(duration["h"]) * 3600 + int(duration["m"]) * 60
                                   + float(duration["s"]))
            if duration["start"] is not None:
                header.start = float(duration["start"])
            continue
        stream = _STREAM_RE.match(line)
        if stream:
            current = _parse_stream(stream["kind"].lower(), stream["rest"])
            header.streams.append(current)
            continue
        rotation = _ROTATION_RE.search(line)
        if rotation and current is not None:
            current.rotation = float(rotation[1])
    return header


def _parse_stream(kind: str, rest: str) -> _Stream:
    codec = rest.split(maxsplit=1)[0].rstrip(",") if rest else ""
    stream = _Stream(kind=kind, codec=codec, line=rest, attached_pic="(attached pic)" in rest)
    if kind == "audio":
        # "..., 48000 Hz, stereo, fltp, ..." : the channel layout follows the sample rate.
        fields = [f.strip() for f in _split_top_level(rest)]
        hz = next((i for i, f in enumerate(fields) if f.endswith(" Hz")), None)
        if hz is not None and hz + 1 < len(fields):
            stream.channels = _channel_count(fields[hz + 1])
    if kind != "video":
        return stream
    size = _SIZE_RE.search(rest)
    if size:
        stream.width, stream.height = int(size[1]), int(size[2])
    rates = {unit: float(num) * (1000 if k else 1) for num, k, unit in _FPS_RE.findall(rest)}
    stream.fps = rates.get("fps") or rates.get("tbr")
    # The pixel format is the first field after the codec description: "..., yuv420p(tv, ...)".
    fields = _split_top_level(rest)
    if len(fields) > 1:
        stream.pix_fmt = fields[1].strip().split("(")[0].strip() or None
    return stream


def _channel_count(layout: str) -> int:
    named = {"mono": 1, "stereo": 2, "downmix": 2, "quad": 4}
    layout = layout.split("(")[0].strip()
    if layout in named:
        return named[layout]
    match = re.fullmatch(r"(\d+) channels", layout) or re.fullmatch(r"(\d+)\.(\d+)", layout)
    if match:
        return sum(int(g) for g in match.groups() if g)
    return 2


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses or brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _read_header(path: Path, ffmpeg: str) -> tuple[_Header | None, str]:
    proc = _run([*_base(ffmpeg, "info"), "-i", str(path)], what="probe", check=False)
    text = proc.stderr.decode("utf-8", "replace")
    return _parse_header(text), text


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
    header, text = _read_header(source, exe)
    if header is None:
        logger.info("probe %s: not recognised: %s", source.name, text.strip().splitlines()[-1:])
        if "moov atom not found" in text and _looks_like_mp4(source):
            # An MP4 whose index is missing: typically an interrupted upload or download.
            raise MediaError("The video file is damaged or incomplete.")
        raise MediaError("This file is not a video (its format was not recognised).")
    if _IMAGE_FORMATS.search(header.format_name):
        raise MediaError("This file is a still image, not a video.")
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


def _looks_like_mp4(path: Path) -> bool:
    """Whether the file starts like an ISO media file (so a failure to read it means damage,
    not a file of another kind that merely has an .mp4 name)."""
    with path.open("rb") as handle:
        head = handle.read(12)
    return len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide",
                                            b"skip", b"pnot")


_TIME_RE = re.compile(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)")
# With "-loglevel level+...", ffmpeg tags each line "[context @ 0x...] [error] message".
_SERIOUS = re.compile(r"\[(?:error|fatal|panic)\] ")


def _scan_whole_file(source: Path, ffmpeg: str, header: _Header) -> float | None:
    """Read every packet and decode the first frames; raise MediaError on damage. Returns the
    time ffmpeg reached (a fallback duration for containers that do not state one).

    Damage means an error from the demuxer (a truncated file: "partial file", unreadable
    sample tables) or no decodable picture at the start. Decoder complaints about single
    frames are tolerated: plenty of playable camera and screen-capture files have them.
    """
    maps = (["-map", "0:V:0"] if header.video else []) + (["-map", "0:a:0"] if header.audio else [])
    cmd = [*_base(ffmpeg, "repeat+level+error"), "-stats", "-i", str(source),
           *maps, "-c", "copy", "-f", "null", "-"]
    if header.video:
        cmd += ["-map", "0:V:0", "-frames:v", "3", "-f", "framecrc", "pipe:1"]
    proc = _run(cmd, what="scan", check=False)
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


# --------------------------------------------------------------------------------------------
# Packet scan and H.264 parameter sets


@dataclass
class _Packet:
    dts: int
    pts: int
    duration: int
    size: int
    key: bool
    idr: bool = False


@dataclass
class _Scan:
    time_base: Fraction
    packets: list[_Packet]  # decode order
    avcc: bytes | None


def _scan_window(ffmpeg: str, source: Path, start: float, stop: float, tmp: Path) -> _Scan:
    """Packet timestamps (in the stream's own time base, as stored) of the video around
    [start, stop), which keyframes are IDR pictures, and the stream's avcC record."""
    keys_path, extra_path = tmp / "keys.bin", tmp / "extradata.bin"
    cmd = [*_base(ffmpeg), "-copyts", "-ss", _secs(start), "-t", _secs(stop - start + 0.001),
           "-i", str(source),
           "-map", "0:V:0", "-c", "copy", "-f", "framecrc", "pipe:1",
           "-map", "0:V:0", "-c", "copy", "-bsf:v", "noise=drop=not(key)", "-f", "data",
           str(keys_path),
           "-map", "0:V:0", "-c", "copy", "-bsf:v", "dump_extra=freq=keyframe", "-frames:v", "1",
           "-f", "data", str(extra_path)]
    proc = _run(cmd, what="scan")
    time_base = Fraction(1, 1)
    packets: list[_Packet] = []
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        if line.startswith("#tb 0:"):
            num, den = line.split(":", 1)[1].strip().split("/")
            time_base = Fraction(int(num), int(den))
            continue
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        flags = next((p for p in parts[6:] if p.startswith("F=")), None)
        key = flags is None or bool(int(flags[2:], 16) & 1)
        packets.append(_Packet(dts=int(parts[1]), pts=int(parts[2]), duration=int(parts[3]),
                               size=int(parts[4]), key=key))
    keys = keys_path.read_bytes() if keys_path.exists() else b""
    offset = 0
    for packet in (p for p in packets if p.key):
        packet.idr = _has_idr_slice(keys[offset:offset + packet.size])
        offset += packet.size
    avcc = None
    if extra_path.exists():
        avcc = _leading_avcc(extra_path.read_bytes())
    return _Scan(time_base=time_base, packets=packets, avcc=avcc)


def _has_idr_slice(sample: bytes) -> bool:
    """Whether a length-prefixed (4-byte) H.264 sample contains an IDR slice (NAL type 5)."""
    pos = 0
    while pos + 5 <= len(sample):
        size = struct.unpack_from(">I", sample, pos)[0]
        if size == 0 or pos + 4 + size > len(sample):
            return False
        if sample[pos + 4] & 0x1F == 5:
            return True
        pos += 4 + size
    return False


@dataclass
class _AvcConfig:
    head: bytes  # version, profile, compatibility, level, length size
    sps: list[bytes]
    pps: list[bytes]
    trailer: bytes  # the High-profile extension fields, kept verbatim

    @property
    def length_size(self) -> int:
        return (self.head[4] & 0x03) + 1

    @property
    def profile(self) -> int:
        return self.head[1]

    @property
    def level(self) -> int:
        return self.head[3]

    def to_bytes(self) -> bytes:
        out = bytearray(self.head)
        out.append(0xE0 | len(self.sps))
        for nal in self.sps:
            out += struct.pack(">H", len(nal)) + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += struct.pack(">H", len(nal)) + nal
        return bytes(out + self.trailer)


def _parse_avcc(data: bytes) -> tuple[_AvcConfig, int]:
    """Parse an AVCDecoderConfigurationRecord; returns it and the bytes it used (without the
    trailer, whose length this function cannot know when more data follows)."""
    if len(data) < 7 or data[0] != 1:
        raise ValueError("not an avcC record")
    pos, sps, pps = 6, [], []
    for _ in range(data[5] & 0x1F):
        (size,) = struct.unpack_from(">H", data, pos)
        sps.append(bytes(data[pos + 2:pos + 2 + size]))
        pos += 2 + size
    count = data[pos]
    pos += 1
    for _ in range(count):
        (size,) = struct.unpack_from(">H", data, pos)
        pps.append(bytes(data[pos + 2:pos + 2 + size]))
        pos += 2 + size
    if pos > len(data) or any(not n for n in sps + pps):
        raise ValueError("truncated avcC record")
    return _AvcConfig(head=bytes(data[:5]), sps=sps, pps=pps, trailer=b""), pos


def _leading_avcc(blob: bytes) -> bytes | None:
    """The avcC record that ``dump_extra`` put in front of the first packet (None if the
    stream's extradata is not avcC, e.g. Annex B from MPEG-TS)."""
    try:
        config, used = _parse_avcc(blob)
    except (ValueError, struct.error, IndexError):
        return None
    rest = blob[used:]
    # High profiles append 4+ bytes (chroma format, bit depths, SPS-ext count); they are
    # recognisable by their reserved bits. Everything else is the first packet.
    if config.profile in (100, 110, 122, 144) and len(rest) >= 4 and rest[0] & 0xFC == 0xFC \
            and rest[1] & 0xF8 == 0xF8 and rest[2] & 0xF8 == 0xF8:
        extra = 4
        for _ in range(rest[3]):
            (size,) = struct.unpack_from(">H", rest, extra)
            extra += 2 + size
        return blob[:used + extra]
    return blob[:used]


class _BitReader:
    def __init__(self, nal: bytes) -> None:
        # Drop emulation-prevention bytes (00 00 03 -> 00 00).
        self.data = re.sub(b"\x00\x00\x03", b"\x00\x00", nal)
        self.pos = 0

    def bit(self) -> int:
        byte = self.data[self.pos >> 3]
        value = (byte >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad exp-Golomb code")
        value = 1
        for _ in range(zeros):
            value = (value << 1) | self.bit()
        return value - 1


def _sps_id(nal: bytes) -> int:
    reader = _BitReader(nal[4:])  # NAL header, profile, constraints, level
    return reader.ue()


def _pps_ids(nal: bytes) -> tuple[int, int]:
    reader = _BitReader(nal[1:])
    return reader.ue(), reader.ue()


# --------------------------------------------------------------------------------------------
# Minimal MP4 box editing: replace the avcC of a (moov-at-the-end) file written by ffmpeg.

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


def _boxes(data: bytes | bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("malformed mp4 box")
        yield pos, header, size, kind
        pos += size


def _replace_avcc(path: Path, avcc: bytes) -> None:
    data = bytearray(path.read_bytes())
    chain: list[tuple[int, int]] = []  # (offset, header length) of each ancestor box

    def find(start: int, end: int) -> tuple[int, int, int] | None:
        for pos, header, size, kind in _boxes(data, start, end):
            if kind in _CONTAINERS or kind in (b"stsd", b"avc1"):
                body = pos + header + {b"stsd": 8, b"avc1": 78}.get(kind, 0)
                chain.append((pos, header))
                found = find(body, pos + size)
                if found:
                    return found
                chain.pop()
            elif kind == b"avcC":
                return pos, header, size
        return None

    mdat = next((pos for pos, _, _, kind in _boxes(data, 0, len(data)) if kind == b"mdat"), None)
    found = find(0, len(data))
    if found is None or mdat is None or chain[0][0] < mdat:
        # moov before mdat would need every chunk offset rewritten; ffmpeg never writes the
        # segment that way without +faststart, so this is a guard, not a code path.
        raise ValueError("unexpected mp4 layout for the re-encoded segment")
    pos, header, size = found
    delta = header + len(avcc) - size
    data[pos:pos + size] = struct.pack(">I4s", header + len(avcc), b"avcC") + avcc
    for box_pos, box_header in chain:
        if box_header == 16:
            (old,) = struct.unpack_from(">Q", data, box_pos + 8)
            struct.pack_into(">Q", data, box_pos + 8, old + delta)
        else:
            (old,) = struct.unpack_from(">I", data, box_pos)
            struct.pack_into(">I", data, box_pos, old + delta)
    path.write_bytes(bytes(data))


def _read_avcc(path: Path, ffmpeg: str) -> _AvcConfig:
    proc = _run([*_base(ffmpeg), "-i", str(path), "-map", "0:v:0", "-c", "copy", "-bsf:v",
                 "dump_extra=freq=keyframe", "-frames:v", "1", "-f", "data", "pipe:1"],
                what="read segment avcC")
    record = _leading_avcc(proc.stdout)
    if record is None:
        raise ValueError("segment has no avcC")
    return _parse_avcc(record)[0]


# --------------------------------------------------------------------------------------------
# Rendering


@dataclass
class _Plan:
    """Frame-exact clip boundaries, in the video stream's time-base ticks."""

    first: int  # pts of the first frame of the clip
    end: int  # pts just after the last frame (the next frame's, or last pts + duration)
    frames: int
    time_base: Fraction
    origin: float  # file start time in seconds: ffmpeg's -ss is relative to it

    def seconds(self, ticks: int) -> float:
        return float(ticks * self.time_base) - self.origin

    @property
    def duration(self) -> float:
        return float((self.end - self.first) * self.time_base)


def render_clip(
    source: str | os.PathLike[str],
    start: float,
    end: float,
    out: str | os.PathLike[str],
    *,
    aspect: str = "source",
    thumbnail: str | os.PathLike[str] | None = None,
    thumbnail_at: float | None = None,
    ffmpeg: str | None = None,
    smart_cut: bool = True,
) -> RenderResult:
    """Render ``source[start:end]`` (seconds) into an H.264/AAC mp4 at ``out``.

    ``aspect`` is ``"source"`` (the source's frame, smart-cut when possible) or ``"9:16"``
    (1080x1920 centre crop). The JPEG thumbnail goes to ``thumbnail`` (default: ``out`` with a
    ``.jpg`` suffix) and shows the frame at ``thumbnail_at`` (a source time inside the clip;
    default the clip's middle). ``smart_cut=False`` forces a full re-encode. Raises
    MediaError for unusable sources or failed renders and ValueError for invalid arguments.
    """
    # Absolute paths: ffmpeg would read "name:with-colon.mp4" as a protocol, "-x.mp4" as an option.
    source_path, out_path = Path(source).absolute(), Path(out).absolute()
    thumb_path = (Path(thumbnail).absolute() if thumbnail is not None
                  else out_path.with_suffix(".jpg"))
    if aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {ASPECTS}, not {aspect!r}")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError("start and end must be finite numbers of seconds")
    if start < 0:
        raise ValueError("start must not be negative")
    if end <= start:
        raise ValueError("end must be after start")
    exe = find_ffmpeg(ffmpeg)
    if not source_path.is_file():
        raise MediaError("The source video file was not found.")
    header, _ = _read_header(source_path, exe)
    if header is None or header.video is None:
        raise MediaError("The source is not a readable video.")
    duration = header.duration
    if duration is not None:
        if start >= duration:
            raise MediaError("The clip starts after the end of the video.")
        end = min(end, duration)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    thumb_path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".render-", dir=out_path.parent))
    started: list[_Job] = []
    try:
        scan = _scan_window(exe, source_path, start, end + 1.0, work)
        wanted = (start + header.start + BOUNDARY_TOLERANCE) / float(scan.time_base)
        if start > 0 and min((p.pts for p in scan.packets), default=0) > wanted:
            # The seek landed after the start (a broken index): read from the beginning.
            scan = _scan_window(exe, source_path, 0.0, end + 1.0, work)
        plan = _plan(scan, header, start, end)
        clip_tmp, thumb_tmp = work / "clip.mp4", work / "thumb.jpg"
        thumb_job = _start(_thumbnail_cmd(exe, source_path, scan, plan, thumbnail_at, aspect,
                                          thumb_tmp), what="thumbnail", started=started)
        reason = _smart_cut_blocker(header, scan) if aspect == "source" and smart_cut else None
        done = False
        if aspect == "source" and smart_cut and reason is None:
            try:
                done = _smart_cut(exe, source_path, header, scan, plan, work, clip_tmp, started)
                reason = None if done else "no IDR frame inside the clip"
            except _NotSmartCuttable as exc:
                reason = str(exc)
        if not done:
            if aspect == "source" and smart_cut:
                logger.info("full re-encode of %s: %s", source_path.name, reason)
            _full_encode(exe, source_path, header, plan, aspect, clip_tmp)
        _wait_all([thumb_job])
        info = _check_output(exe, clip_tmp, plan, header)
        os.replace(thumb_tmp, thumb_path)
        os.replace(clip_tmp, out_path)
        return RenderResult(path=out_path, thumbnail=thumb_path, duration=info[0],
                            width=info[1], height=info[2])
    finally:
        _stop_all(started)
        shutil.rmtree(work, ignore_errors=True)


class _NotSmartCuttable(Exception):
    """This clip cannot be smart-cut; the message says why (for the log)."""


def _plan(scan: _Scan, header: _Header, start: float, end: float) -> _Plan:
    tb = scan.time_base
    origin = header.start
    pts = sorted(p.pts for p in scan.packets)
    if not pts:
        raise MediaError("The clip starts after the end of the video.")
    tolerance = BOUNDARY_TOLERANCE / float(tb)
    lo = (start + origin) / float(tb) - tolerance
    hi = (end + origin) / float(tb) - tolerance
    inside = [t for t in pts if lo <= t < hi]
    if not inside:
        raise MediaError("The clip is too short: it contains no video frame.")
    after = [t for t in pts if t > inside[-1]]
    if after:
        stop = after[0]
    else:
        last = max(scan.packets, key=lambda p: p.pts)
        stop = last.pts + (last.duration or (last.pts - (pts[-2] if len(pts) > 1 else 0)))
    return _Plan(first=inside[0], end=stop, frames=len(inside), time_base=tb, origin=origin)


def _smart_cut_blocker(header: _Header, scan: _Scan) -> str | None:
    """Why this source cannot be smart-cut at all (None when it can)."""
    video = header.video
    assert video is not None
    if video.codec != "h264":
        return f"codec {video.codec}"
    if (video.pix_fmt or "") not in _SMART_PIX_FMTS:
        return f"pixel format {video.pix_fmt}"
    if "top first" in video.line or "bottom first" in video.line or "interlaced" in video.line:
        return "interlaced"
    if round(video.rotation) % 360:
        return "rotation metadata"
    if scan.avcc is None:
        return "no avcC"
    config, _ = _parse_avcc(scan.avcc)
    if config.length_size != 4:
        return f"NAL length size {config.length_size}"
    if config.profile not in _SMART_PROFILES:
        return f"profile {config.profile}"
    return None


def _smart_cut(exe: str, source: Path, header: _Header, scan: _Scan, plan: _Plan, work: Path,
               out: Path, started: list[_Job]) -> bool:
    """Head re-encoded, middle copied, tail re-encoded, joined losslessly. Returns False when
    re-encoding everything is no more work (no IDR frame inside the clip)."""
    packets = scan.packets
    # Cut points: IDR frames inside the clip, or the one just after it (then the clip ends
    # on a GOP boundary and needs no tail).
    idrs = [p for p in packets if p.key and p.idr and plan.first <= p.pts <= plan.end]
    if not idrs or idrs[0].pts == plan.end:
        return False
    k_first, k_last = idrs[0], idrs[-1]
    # Every packet decoded between the two cut points must display between them, and no
    # other packet may: true for IDR pictures, checked rather than assumed.
    i_first, i_last = packets.index(k_first), packets.index(k_last)
    middle = packets[i_first:i_last]
    if any(not (k_first.pts <= p.pts < k_last.pts) for p in middle) or any(
            k_first.pts <= p.pts < k_last.pts for p in packets[:i_first] + packets[i_last:]):
        raise _NotSmartCuttable("frames reordered across an IDR frame")
    tail_frames = sum(1 for p in packets if k_last.pts <= p.pts < plan.end)
    head_frames = sum(1 for p in packets if plan.first <= p.pts < k_first.pts)

    config, _ = _parse_avcc(scan.avcc or b"")
    pix_fmt = header.video.pix_fmt if header.video and header.video.pix_fmt else "yuv420p"
    used_ids = {_sps_id(n) for n in config.sps} | {i for n in config.pps for i in _pps_ids(n)}
    free_ids = [i for i in range(1, 32) if i not in used_ids]
    if len(free_ids) < 2:
        raise _NotSmartCuttable("no free parameter-set ids")

    segments: list[tuple[Path, int, int]] = []  # (file, first pts, end pts)
    jobs = []
    audio = work / "audio.m4a" if header.audio else None
    if audio is not None:
        jobs.append(_start(_audio_cmd(exe, source, header, plan, audio), what="audio", started=started))
    head = work / "head.mp4"
    if head_frames:
        jobs.append(_start(_segment_cmd(exe, source, plan, plan.first, head_frames,
                                        k_first.pts - k_first.dts, config, scan, free_ids[0],
                                        pix_fmt, head), what="head", started=started))
        segments.append((head, plan.first, k_first.pts))
    body = work / "body.mp4"
    if k_last.pts > k_first.pts:
        # The seek only needs to land at or before K1 (half a frame past it: on it, or on an
        # earlier keyframe with an imprecise index, as with some Matroska files); the noise
        # filter then keeps exactly the packets displayed in [K1, Kn). -copyts keeps stored
        # timestamps, the ones the scan saw (the concat demuxer rebases each file anyway).
        seek = plan.seconds(k_first.pts) + float(scan.time_base) * 0.5
        window = plan.seconds(k_last.pts) - seek + 1.0
        keep = f"noise=drop=lt(pts\\,{k_first.pts})+gte(pts\\,{k_last.pts})"
        jobs.append(_start([*_base(exe), "-copyts", "-ss", f"{seek:.6f}", "-t", f"{window:.6f}",
                            "-i", str(source), "-map", "0:V:0", "-c", "copy", "-bsf:v", keep,
                            "-video_track_timescale", str(scan.time_base.denominator),
                            "-map_metadata", "-1", "-f", "mp4", str(body)],
                           what="copy", started=started))
        segments.append((body, k_first.pts, k_last.pts))
    tail = work / "tail.mp4"
    if tail_frames:
        jobs.append(_start(_segment_cmd(exe, source, plan, k_last.pts, tail_frames,
                                        k_last.pts - k_last.dts, config, scan, free_ids[1],
                                        pix_fmt, tail), what="tail", started=started))
        segments.append((tail, k_last.pts, plan.end))
    _wait_all(jobs)
    if body.exists() and _packet_count(exe, body) != len(middle):
        raise _NotSmartCuttable("the copied packets are not the expected ones")

    # The output's avcC: the source's parameter sets plus those of the re-encoded segments.
    merged = _AvcConfig(head=config.head, sps=list(config.sps), pps=list(config.pps),
                        trailer=_avcc_trailer(scan.avcc or b""))
    encoded = [p for p in (head, tail) if p.exists()]
    for path in encoded:
        try:
            own = _read_avcc(path, exe)
        except ValueError as exc:
            raise _NotSmartCuttable(str(exc)) from exc
        merged.sps += [n for n in own.sps if n not in merged.sps]
        merged.pps += [n for n in own.pps if n not in merged.pps]
    if len(merged.sps) > 31 or len(merged.pps) > 255:
        raise _NotSmartCuttable("too many parameter sets")
    if encoded:
        # The concat demuxer takes the codec configuration from the first file only.
        try:
            _replace_avcc(segments[0][0], merged.to_bytes())
        except ValueError as exc:
            raise _NotSmartCuttable(str(exc)) from exc

    listing = ["ffconcat version 1.0"]
    for path, first, stop in segments:
        listing += [f"file '{path.name}'", f"duration {float((stop - first) * scan.time_base):.6f}"]
    (work / "list.ffconcat").write_text("\n".join(listing) + "\n", encoding="utf-8")
    # auto_convert off: the concat demuxer would otherwise turn the packets into Annex B and
    # repeat SPS/PPS in front of every IDR frame; the merged avcC makes that unnecessary.
    cmd = [*_base(exe), "-f", "concat", "-safe", "0", "-auto_convert", "0",
           "-i", str(work / "list.ffconcat")]
    if audio is not None:
        cmd += ["-i", str(audio)]
    cmd += ["-map", "0:v:0"] + (["-map", "1:a:0"] if audio is not None else [])
    cmd += ["-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
            "-movflags", "+faststart", "-f", "mp4", str(out)]
    _run(cmd, what="join")
    return True


def _audio_cmd(exe: str, source: Path, header: _Header, plan: _Plan, out: Path) -> list[str]:
    """AAC for exactly the clip's time range (decoded and trimmed to the sample)."""
    return [*_base(exe), "-ss", _secs(plan.seconds(plan.first)), "-i", str(source),
            "-t", f"{plan.duration:.6f}", "-map", "0:a:0", *_audio_args(header),
            "-map_metadata", "-1", "-f", "mp4", str(out)]


def _audio_args(header: _Header) -> list[str]:
    channels = header.audio.channels if header.audio else 2
    args = ["-c:a", "aac", "-b:a", f"{AUDIO_KBPS_PER_CHANNEL * min(channels, 2)}k"]
    return args + (["-ac", "2"] if channels > 2 else [])


def _packet_count(exe: str, path: Path) -> int:
    proc = _run([*_base(exe), "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc",
                 "pipe:1"], what="count packets")
    return sum(1 for line in proc.stdout.splitlines() if line and not line.startswith(b"#"))


def _avcc_trailer(record: bytes) -> bytes:
    _, used = _parse_avcc(record)
    return record[used:]


def _segment_cmd(exe: str, source: Path, plan: _Plan, first: int, frames: int, delay: int,
                 config: _AvcConfig, scan: _Scan, ps_id: int, pix_fmt: str,
                 out: Path) -> list[str]:
    """Re-encode ``frames`` frames from pts ``first`` so that they can sit in front of (or
    behind) copied packets: same profile/level/time base, no B-frames, own SPS/PPS id, and
    DTS shifted by the source's reorder ``delay`` (ticks) so that DTS is monotonic at joins."""
    level = config.level
    params = f"{X264_PARAMS}:sps-id={ps_id}"
    cmd = [*_base(exe), "-ss", _secs(plan.seconds(first)), "-i", str(source),
           "-map", "0:V:0", "-frames:v", str(frames), "-vf", "setpts=PTS-STARTPTS",
           "-fps_mode", "passthrough",
           "-enc_time_base:v", f"{scan.time_base.numerator}:{scan.time_base.denominator}",
           "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(SEGMENT_CRF),
           "-profile:v", _SMART_PROFILES[config.profile], "-pix_fmt", pix_fmt, "-bf", "0",
           "-x264-params", params]
    if level >= 10:  # (level 1b is signalled differently; let x264 choose then)
        cmd += ["-level:v", f"{level / 10:.1f}"]
    if delay > 0:
        cmd += ["-bsf:v", f"setts=dts=DTS-{delay}"]
    cmd += ["-video_track_timescale", str(scan.time_base.denominator),
            "-map_metadata", "-1", "-f", "mp4", str(out)]
    return cmd


def _full_encode(exe: str, source: Path, header: _Header, plan: _Plan, aspect: str,
                 out: Path) -> None:
    filters = [VERTICAL_FILTER] if aspect == "9:16" else []
    video = header.video
    if aspect == "source" and video and video.width and video.height and (
            video.width % 2 or video.height % 2):
        filters.append("scale=trunc(iw/2)*2:trunc(ih/2)*2")
    cmd = [*_base(exe), "-ss", _secs(plan.seconds(plan.first)), "-i", str(source),
           "-t", f"{plan.duration:.6f}", "-map", "0:V:0", "-frames:v", str(plan.frames)]
    if filters:
        cmd += ["-vf", ",".join(filters)]
    cmd += ["-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(FULL_CRF),
            "-x264-params", X264_PARAMS,
            "-pix_fmt", "yuv420p", "-profile:v", "high"]
    if header.audio:
        cmd += ["-map", "0:a:0", *_audio_args(header)]
    cmd += ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart",
            "-f", "mp4", str(out)]
    _run(cmd, what="encode")


def _thumbnail_cmd(exe: str, source: Path, scan: _Scan, plan: _Plan, at: float | None,
                   aspect: str, out: Path) -> list[str]:
    """Grab the frame at source time ``at`` (clamped into the clip). Without ``at``, the
    keyframe nearest the clip's middle: it decodes alone, where an arbitrary frame needs up
    to a whole GOP decoded (a third of a smart cut's CPU time)."""
    # Square pixels first (browsers ignore a JPEG's aspect ratio), then at most 720 high.
    scale = ("scale='trunc(iw*sar/2)*2':ih,setsar=1,"
             f"scale=-2:'min(ih,{THUMBNAIL_MAX_HEIGHT})',setsar=1")
    filters = f"{VERTICAL_FILTER},{scale}" if aspect == "9:16" else scale
    seek = ["-ss"]
    if at is None:
        middle = (plan.first + plan.end) / 2
        keys = [p.pts for p in scan.packets if p.key and plan.first <= p.pts < plan.end]
        if keys:
            nearest = min(keys, key=lambda pts: abs(pts - middle))
            # Half a frame past the keyframe and no accurate seek: lands on it, outputs it.
            seek = ["-noaccurate_seek", "-ss"]
            at = plan.seconds(nearest) + float(scan.time_base) * 0.5
        else:
            at = plan.seconds(plan.first) + plan.duration / 2
    else:
        at = min(max(at, plan.seconds(plan.first)), plan.seconds(plan.end) - 1e-3)
    return [*_base(exe), *seek, _secs(at), "-i", str(source), "-map", "0:V:0",
            "-frames:v", "1", "-vf", filters, "-q:v", "3", "-f", "image2", "-update", "1",
            str(out)]


def _check_output(exe: str, path: Path, plan: _Plan, header: _Header) -> tuple[float, int, int]:
    """Cheap sanity check of the rendered file (header and packet count, no decoding)."""
    out_header, _ = _read_header(path, exe)
    video = out_header.video if out_header else None
    if out_header is None or video is None or not video.width or not video.height:
        raise MediaError("The clip could not be rendered from this video.")
    frames = _packet_count(exe, path)
    if frames != plan.frames:
        logger.warning("rendered %s frames instead of %s", frames, plan.frames)
        raise MediaError("The clip could not be rendered from this video.")
    if header.audio and out_header.audio is None:
        raise MediaError("The clip could not be rendered from this video.")
    return round(plan.duration, 3), video.width, video.height
