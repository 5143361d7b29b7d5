"""The smart cut: re-encode only a clip's head and tail, copy the packets in between.

It makes a source-aspect clip several times cheaper than a full re-encode while staying
frame-exact; the rules that keep the joined stream valid are in docs/smart-cut.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .encode import X264_PROFILES, audio_cmd, segment_cmd
from .h264 import AvcConfig, avcc_trailer, leading_avcc, parse_avcc, pps_ids, sps_id
from .header import Header
from .mp4 import replace_avcc
from .plan import Packet, Plan, Scan, packet_count
from .process import Job, base_args, input_args, run, spawn, wait_all

_SMART_PIX_FMTS = {"yuv420p", "yuvj420p"}
# Ids the re-encoded segments may give their SPS and PPS (x264 "sps-id" sets both).
_PS_IDS = range(1, 32)


class NotSmartCuttable(Exception):
    """This clip cannot be smart-cut; the message says why (for the log)."""


@dataclass(frozen=True)
class _CutPoints:
    first: Packet  # K1: the first IDR frame at or after the clip's start
    last: Packet  # Kn: the last IDR frame up to the clip's end
    copied: int  # packets copied from the source, [K1, Kn)
    head_frames: int  # frames re-encoded before K1
    tail_frames: int  # frames re-encoded from Kn


def smart_cut_blocker(header: Header, scan: Scan) -> str | None:
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
    config, _ = parse_avcc(scan.avcc)
    if config.length_size != 4:
        return f"NAL length size {config.length_size}"
    if config.profile not in X264_PROFILES:
        return f"profile {config.profile}"
    return None


def smart_cut(exe: str, source: Path, header: Header, scan: Scan, plan: Plan, work: Path,
              out: Path, started: list[Job]) -> bool:
    """Head re-encoded, middle copied, tail re-encoded, joined losslessly. Returns False when
    re-encoding everything is no more work (no IDR frame inside the clip); raises
    NotSmartCuttable when this clip cannot be cut so (then it is re-encoded in full)."""
    cuts = _cut_points(scan.packets, plan)
    if cuts is None:
        return False
    k_first, k_last = cuts.first, cuts.last

    config, _ = parse_avcc(scan.avcc or b"")
    pix_fmt = header.video.pix_fmt if header.video and header.video.pix_fmt else "yuv420p"
    used_ids = {sps_id(n) for n in config.sps} | {i for n in config.pps for i in pps_ids(n)}
    free_ids = [i for i in _PS_IDS if i not in used_ids]
    if len(free_ids) < 2:
        raise NotSmartCuttable("no free parameter-set ids")

    segments: list[tuple[Path, int, int]] = []  # (file, first pts, end pts)
    jobs: list[Job] = []
    audio = work / "audio.m4a" if header.audio else None
    if audio is not None:
        jobs.append(spawn(audio_cmd(exe, source, header, plan, audio), what="audio",
                          started=started))
    head = work / "head.mp4"
    if cuts.head_frames:
        jobs.append(spawn(segment_cmd(exe, source, plan, plan.first, cuts.head_frames,
                                      k_first.pts - k_first.dts, config, scan, free_ids[0],
                                      pix_fmt, head), what="head", started=started))
        segments.append((head, plan.first, k_first.pts))
    body = work / "body.mp4"
    if k_last.pts > k_first.pts:
        jobs.append(spawn(_copy_cmd(exe, source, scan, plan, k_first, k_last, body),
                          what="copy", started=started))
        segments.append((body, k_first.pts, k_last.pts))
    tail = work / "tail.mp4"
    if cuts.tail_frames:
        jobs.append(spawn(segment_cmd(exe, source, plan, k_last.pts, cuts.tail_frames,
                                      k_last.pts - k_last.dts, config, scan, free_ids[1],
                                      pix_fmt, tail), what="tail", started=started))
        segments.append((tail, k_last.pts, plan.end))
    wait_all(jobs)
    if body.exists() and packet_count(exe, body) != cuts.copied:
        raise NotSmartCuttable("the copied packets are not the expected ones")

    encoded = [p for p in (head, tail) if p.exists()]
    merged = _merged_config(exe, config, scan.avcc or b"", encoded)
    if encoded:
        # The concat demuxer takes the codec configuration from the first file only.
        try:
            replace_avcc(segments[0][0], merged.to_bytes())
        except ValueError as exc:
            raise NotSmartCuttable(str(exc)) from exc
    _join(exe, work, segments, scan.time_base, audio, out)
    return True


def _cut_points(packets: list[Packet], plan: Plan) -> _CutPoints | None:
    """The IDR frames to cut at, or None when the clip has none (nothing to copy)."""
    # IDR frames inside the clip, or the one just after it (then the clip ends on a GOP
    # boundary and needs no tail).
    idrs = [p for p in packets if p.key and p.idr and plan.first <= p.pts <= plan.end]
    if not idrs or idrs[0].pts == plan.end:
        return None
    k_first, k_last = idrs[0], idrs[-1]
    # Every packet decoded between the two cut points must display between them, and no
    # other packet may: true for IDR pictures, checked rather than assumed.
    i_first, i_last = packets.index(k_first), packets.index(k_last)
    middle = packets[i_first:i_last]
    if any(not (k_first.pts <= p.pts < k_last.pts) for p in middle) or any(
            k_first.pts <= p.pts < k_last.pts for p in packets[:i_first] + packets[i_last:]):
        raise NotSmartCuttable("frames reordered across an IDR frame")
    return _CutPoints(
        first=k_first, last=k_last, copied=len(middle),
        head_frames=sum(1 for p in packets if plan.first <= p.pts < k_first.pts),
        tail_frames=sum(1 for p in packets if k_last.pts <= p.pts < plan.end),
    )


def _copy_cmd(exe: str, source: Path, scan: Scan, plan: Plan, k_first: Packet, k_last: Packet,
              out: Path) -> list[str]:
    """Copy the source's packets displayed in [K1, Kn), bit for bit."""
    # The seek only needs to land at or before K1 (half a frame past it: on it, or on an
    # earlier keyframe with an imprecise index, as with some Matroska files); the noise
    # filter then keeps exactly the packets displayed in [K1, Kn). -copyts keeps stored
    # timestamps, the ones the scan saw (the concat demuxer rebases each file anyway).
    seek = plan.seconds(k_first.pts) + float(scan.time_base) * 0.5
    window = plan.seconds(k_last.pts) - seek + 1.0
    keep = f"noise=drop=lt(pts\\,{k_first.pts})+gte(pts\\,{k_last.pts})"
    return [*base_args(exe), "-copyts", "-ss", f"{seek:.6f}", "-t", f"{window:.6f}",
            *input_args(source), "-map", "0:V:0", "-c", "copy", "-bsf:v", keep,
            "-video_track_timescale", str(scan.time_base.denominator),
            "-map_metadata", "-1", "-f", "mp4", str(out)]


def _merged_config(exe: str, config: AvcConfig, record: bytes,
                   encoded: list[Path]) -> AvcConfig:
    """The output's avcC: the source's parameter sets plus those of the re-encoded segments."""
    merged = AvcConfig(head=config.head, sps=list(config.sps), pps=list(config.pps),
                       trailer=avcc_trailer(record))
    for path in encoded:
        try:
            own = _read_segment_avcc(path, exe)
        except ValueError as exc:
            raise NotSmartCuttable(str(exc)) from exc
        merged.sps += [n for n in own.sps if n not in merged.sps]
        merged.pps += [n for n in own.pps if n not in merged.pps]
    if len(merged.sps) > 31 or len(merged.pps) > 255:
        raise NotSmartCuttable("too many parameter sets")
    return merged


def _read_segment_avcc(path: Path, ffmpeg: str) -> AvcConfig:
    proc = run([*base_args(ffmpeg), *input_args(path), "-map", "0:v:0", "-c", "copy", "-bsf:v",
                "dump_extra=freq=keyframe", "-frames:v", "1", "-f", "data", "pipe:1"],
               what="read segment avcC")
    record = leading_avcc(proc.stdout)
    if record is None:
        raise ValueError("segment has no avcC")
    return parse_avcc(record)[0]


def _join(exe: str, work: Path, segments: list[tuple[Path, int, int]], time_base: Fraction,
          audio: Path | None, out: Path) -> None:
    """Concatenate the segments (packets copied, nothing decoded) and mux the audio in."""
    listing = ["ffconcat version 1.0"]
    for path, first, stop in segments:
        listing += [f"file '{path.name}'", f"duration {float((stop - first) * time_base):.6f}"]
    (work / "list.ffconcat").write_text("\n".join(listing) + "\n", encoding="utf-8")
    # auto_convert off: the concat demuxer would otherwise turn the packets into Annex B and
    # repeat SPS/PPS in front of every IDR frame; the merged avcC makes that unnecessary.
    # Our own list of our own segments: the concat demuxer only here, reading MP4 files.
    cmd = [*base_args(exe), "-f", "concat", "-safe", "0", "-auto_convert", "0",
           *input_args(work / "list.ffconcat", demuxers=("concat", "mov"))]
    if audio is not None:
        cmd += [*input_args(audio)]
    cmd += ["-map", "0:v:0"] + (["-map", "1:a:0"] if audio is not None else [])
    cmd += ["-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
            "-movflags", "+faststart", "-f", "mp4", str(out)]
    run(cmd, what="join")
