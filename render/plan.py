"""Where a clip's frames are: the video packets around the clip, read without decoding, and
the frame-exact plan (first frame, end, frame count) in the stream's own time base."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .errors import MediaError
from .h264 import has_idr_slice, leading_avcc
from .header import Header
from .process import base_args, input_args, run, secs

# A boundary this close to a frame's timestamp counts as on it (timestamps are rounded to
# microseconds or to the container's time base on the way in and out of ffmpeg).
BOUNDARY_TOLERANCE = 1e-3


@dataclass
class Packet:
    dts: int
    pts: int
    duration: int
    size: int
    key: bool
    idr: bool = False


@dataclass
class Scan:
    time_base: Fraction
    packets: list[Packet]  # decode order
    avcc: bytes | None


@dataclass
class Plan:
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


def scan_window(ffmpeg: str, source: Path, start: float, stop: float, tmp: Path) -> Scan:
    """Packet timestamps (in the stream's own time base, as stored) of the video around
    [start, stop), which keyframes are IDR pictures, and the stream's avcC record."""
    keys_path, extra_path = tmp / "keys.bin", tmp / "extradata.bin"
    cmd = [*base_args(ffmpeg), "-copyts", "-ss", secs(start), "-t", secs(stop - start + 0.001),
           *input_args(source),
           "-map", "0:V:0", "-c", "copy", "-f", "framecrc", "pipe:1",
           "-map", "0:V:0", "-c", "copy", "-bsf:v", "noise=drop=not(key)", "-f", "data",
           str(keys_path),
           "-map", "0:V:0", "-c", "copy", "-bsf:v", "dump_extra=freq=keyframe", "-frames:v", "1",
           "-f", "data", str(extra_path)]
    proc = run(cmd, what="scan")
    time_base = Fraction(1, 1)
    packets: list[Packet] = []
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
        packets.append(Packet(dts=int(parts[1]), pts=int(parts[2]), duration=int(parts[3]),
                              size=int(parts[4]), key=key))
    keys = keys_path.read_bytes() if keys_path.exists() else b""
    offset = 0
    for packet in (p for p in packets if p.key):
        packet.idr = has_idr_slice(keys[offset:offset + packet.size])
        offset += packet.size
    avcc = None
    if extra_path.exists():
        avcc = leading_avcc(extra_path.read_bytes())
    return Scan(time_base=time_base, packets=packets, avcc=avcc)


def plan_clip(scan: Scan, header: Header, start: float, end: float) -> Plan:
    """The frames shown at ``start <= t < end`` (within BOUNDARY_TOLERANCE), as a Plan."""
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
    return Plan(first=inside[0], end=stop, frames=len(inside), time_base=tb, origin=origin)


def packet_count(exe: str, path: Path) -> int:
    """How many packets the file's first video stream has (read, not decoded)."""
    proc = run([*base_args(exe), *input_args(path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc",
                "pipe:1"], what="count packets")
    return sum(1 for line in proc.stdout.splitlines() if line and not line.startswith(b"#"))
