"""Reading a file's description from the text ``ffmpeg -i`` prints.

The bundled ffmpeg comes without ffprobe, so stream facts (codec, size, frame rate, pixel
format, rotation, audio channels) are parsed from ffmpeg's own human-readable header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .process import base_args, input_args, run


@dataclass
class Stream:
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
class Header:
    format_name: str
    duration: float | None
    start: float
    streams: list[Stream] = field(default_factory=list)

    @property
    def video(self) -> Stream | None:
        return next((s for s in self.streams if s.kind == "video" and not s.attached_pic), None)

    @property
    def audio(self) -> Stream | None:
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


def read_header(path: Path, ffmpeg: str) -> tuple[Header | None, str]:
    """What ``ffmpeg -i path`` says about the file: the parsed header and the raw text."""
    proc = run([*base_args(ffmpeg, "info"), *input_args(path)], what="probe", check=False)
    text = proc.stderr.decode("utf-8", "replace")
    return parse_header(text), text


def parse_header(text: str) -> Header | None:
    """Parse the description ``ffmpeg -i`` prints for input #0; None when there is none."""
    header: Header | None = None
    current: Stream | None = None
    for line in text.splitlines():
        if header is None:
            match = _INPUT_RE.match(line)
            if match:
                header = Header(format_name=match["fmt"].rstrip(","), duration=None, start=0.0)
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
            current = parse_stream(stream["kind"].lower(), stream["rest"])
            header.streams.append(current)
            continue
        rotation = _ROTATION_RE.search(line)
        if rotation and current is not None:
            current.rotation = float(rotation[1])
    return header


def parse_stream(kind: str, rest: str) -> Stream:
    """One ``Stream #0:n: Kind: ...`` line; ``rest`` is what follows the kind."""
    codec = rest.split(maxsplit=1)[0].rstrip(",") if rest else ""
    stream = Stream(kind=kind, codec=codec, line=rest, attached_pic="(attached pic)" in rest)
    if kind == "audio":
        # "..., 48000 Hz, stereo, fltp, ..." : the channel layout follows the sample rate.
        fields = [f.strip() for f in split_top_level(rest)]
        hz = next((i for i, f in enumerate(fields) if f.endswith(" Hz")), None)
        if hz is not None and hz + 1 < len(fields):
            stream.channels = channel_count(fields[hz + 1])
    if kind != "video":
        return stream
    size = _SIZE_RE.search(rest)
    if size:
        stream.width, stream.height = int(size[1]), int(size[2])
    rates = {unit: float(num) * (1000 if k else 1) for num, k, unit in _FPS_RE.findall(rest)}
    stream.fps = rates.get("fps") or rates.get("tbr")
    # The pixel format is the first field after the codec description: "..., yuv420p(tv, ...)".
    fields = split_top_level(rest)
    if len(fields) > 1:
        stream.pix_fmt = fields[1].strip().split("(")[0].strip() or None
    return stream


def channel_count(layout: str) -> int:
    """Channels of an ffmpeg channel layout name ("stereo", "5.1(side)", "3 channels"...);
    2 when the name is unknown."""
    named = {"mono": 1, "stereo": 2, "downmix": 2, "quad": 4}
    layout = layout.split("(")[0].strip()
    if layout in named:
        return named[layout]
    match = re.fullmatch(r"(\d+) channels", layout) or re.fullmatch(r"(\d+)\.(\d+)", layout)
    if match:
        return sum(int(g) for g in match.groups() if g)
    return 2


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses or brackets."""
    parts: list[str] = []
    depth = start = 0
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
