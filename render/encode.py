"""The encoder command lines (full re-encodes, smart-cut edge segments, audio, thumbnails)
and the x264/AAC settings they share; each setting's reason is noted beside it."""

from __future__ import annotations

from pathlib import Path

from .aspects import Aspect
from .h264 import AvcConfig
from .header import Header
from .plan import Plan, Scan
from .process import base_args, input_args, run, secs

# x264 settings. "superfast" with macroblock-tree rate control turned back on (lookahead 10)
# costs about a third of ffmpeg's default ("medium") CPU time on 1080p; bench/clips.py checks
# that CRF 21 gives an SSIM at least equal to medium's default CRF 23 (at a higher bitrate).
X264_PRESET = "superfast"
X264_PARAMS = "rc-lookahead=10:mbtree=1"
FULL_CRF = 21
# The re-encoded head/tail of a smart cut sit next to copied source frames, so they get a
# lower CRF: ~47-50 dB PSNR against the decoded source, i.e. not visibly different from it.
SEGMENT_CRF = 18
# H.264 profile_idc -> x264's name, for the profiles a smart-cut segment can be encoded in.
X264_PROFILES = {66: "baseline", 77: "main", 100: "high"}
# AAC bitrate per channel; clips are at most stereo. 80 kb/s a channel keeps a re-encoded
# 128 kb/s YouTube track transparent, and ffmpeg's AAC encoder gets slow far above that.
AUDIO_KBPS_PER_CHANNEL = 80
THUMBNAIL_MAX_HEIGHT = 720


def audio_args(header: Header) -> list[str]:
    """AAC encoder options for the source's audio: stereo at most."""
    channels = header.audio.channels if header.audio else 2
    args = ["-c:a", "aac", "-b:a", f"{AUDIO_KBPS_PER_CHANNEL * min(channels, 2)}k"]
    return args + (["-ac", "2"] if channels > 2 else [])


def audio_cmd(exe: str, source: Path, header: Header, plan: Plan, out: Path) -> list[str]:
    """AAC for exactly the clip's time range (decoded and trimmed to the sample)."""
    return [*base_args(exe), "-ss", secs(plan.seconds(plan.first)), *input_args(source),
            "-t", f"{plan.duration:.6f}", "-map", "0:a:0", *audio_args(header),
            "-map_metadata", "-1", "-f", "mp4", str(out)]


def segment_cmd(exe: str, source: Path, plan: Plan, first: int, frames: int, delay: int,
                config: AvcConfig, scan: Scan, ps_id: int, pix_fmt: str,
                out: Path) -> list[str]:
    """Re-encode ``frames`` frames from pts ``first`` so that they can sit in front of (or
    behind) copied packets: same profile/level/time base, no B-frames, own SPS/PPS id, and
    DTS shifted by the source's reorder ``delay`` (ticks) so that DTS is monotonic at joins."""
    level = config.level
    params = f"{X264_PARAMS}:sps-id={ps_id}"
    cmd = [*base_args(exe), "-ss", secs(plan.seconds(first)), *input_args(source),
           "-map", "0:V:0", "-frames:v", str(frames), "-vf", "setpts=PTS-STARTPTS",
           "-fps_mode", "passthrough",
           "-enc_time_base:v", f"{scan.time_base.numerator}:{scan.time_base.denominator}",
           "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(SEGMENT_CRF),
           "-profile:v", X264_PROFILES[config.profile], "-pix_fmt", pix_fmt, "-bf", "0",
           "-x264-params", params]
    if level >= 10:  # (level 1b is signalled differently; let x264 choose then)
        cmd += ["-level:v", f"{level / 10:.1f}"]
    if delay > 0:
        cmd += ["-bsf:v", f"setts=dts=DTS-{delay}"]
    cmd += ["-video_track_timescale", str(scan.time_base.denominator),
            "-map_metadata", "-1", "-f", "mp4", str(out)]
    return cmd


def full_encode(exe: str, source: Path, header: Header, plan: Plan, aspect: Aspect,
                out: Path, graph: str | None = None) -> None:
    """Re-encode the whole clip (video and audio) in one ffmpeg run. ``graph`` replaces the
    aspect's filter: a ``-filter_complex`` from the source's video to ``[v]``."""
    filters = [aspect.filter] if aspect.filter else []
    video = header.video
    if aspect.keeps_source_frame and video and video.width and video.height and (
            video.width % 2 or video.height % 2):
        filters.append("scale=trunc(iw/2)*2:trunc(ih/2)*2")
    cmd = [*base_args(exe), "-ss", secs(plan.seconds(plan.first)), *input_args(source),
           "-t", f"{plan.duration:.6f}"]
    if graph:
        cmd += ["-filter_complex", graph, "-map", "[v]"]
    else:
        cmd += ["-map", "0:V:0"]
        if filters:
            cmd += ["-vf", ",".join(filters)]
    cmd += ["-frames:v", str(plan.frames)]
    cmd += ["-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(FULL_CRF),
            "-x264-params", X264_PARAMS,
            "-pix_fmt", "yuv420p", "-profile:v", "high"]
    if header.audio:
        cmd += ["-map", "0:a:0", *audio_args(header)]
    cmd += ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart",
            "-f", "mp4", str(out)]
    run(cmd, what="encode")


def thumbnail_time(scan: Scan, plan: Plan, at: float | None) -> tuple[list[str], float]:
    """The seek options and source time of the thumbnail frame: ``at`` clamped into the clip,
    or without ``at`` the keyframe nearest the clip's middle: it decodes alone, where an
    arbitrary frame needs up to a whole GOP decoded (a third of a smart cut's CPU time)."""
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
    return seek, at


def thumbnail_cmd(exe: str, source: Path, scan: Scan, plan: Plan, at: float | None,
                  aspect: Aspect, out: Path, reframe: str | None = None) -> list[str]:
    """Grab the frame at source time ``at`` (see ``thumbnail_time``). ``reframe`` replaces the
    aspect's filter (the planned crop or fit layout at that moment)."""
    # Square pixels first (browsers ignore a JPEG's aspect ratio), then at most 720 high.
    scale = ("scale='trunc(iw*sar/2)*2':ih,setsar=1,"
             f"scale=-2:'min(ih,{THUMBNAIL_MAX_HEIGHT})',setsar=1")
    frame_filter = reframe or aspect.filter
    filters = f"{frame_filter},{scale}" if frame_filter else scale
    seek, at = thumbnail_time(scan, plan, at)
    return [*base_args(exe), *seek, secs(at), *input_args(source), "-map", "0:V:0",
            "-frames:v", "1", "-vf", filters, "-q:v", "3", "-f", "image2", "-update", "1",
            str(out)]
