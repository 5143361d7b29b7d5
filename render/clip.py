"""``render_clip``: one frame-exact H.264/AAC clip and its JPEG thumbnail.

Everything is written in a hidden temporary directory next to the output and moved into place
with ``os.replace`` (thumbnail first, then the clip), so no half-written file is ever visible
under the final names.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import framing, smartcut
from .aspects import ASPECT_RATIOS, Aspect
from .captions import Cue, cues_for_clip, font_dir, to_ass
from .encode import full_encode, thumbnail_cmd, thumbnail_time
from .errors import MediaError
from .header import Header, read_header
from .options import RenderOptions
from .plan import BOUNDARY_TOLERANCE, Plan, Scan, packet_count, plan_clip, scan_window
from .process import Job, spawn, stop_all, wait_all
from .reframe import CropPlan, plan_reframe
from .scenes import FaceFinder, analyse_clip
from .tools import find_ffmpeg

logger = logging.getLogger(__name__)

_FAILED = "The clip could not be rendered from this video."


@dataclass(frozen=True)
class RenderResult:
    """A rendered clip: the mp4, its JPEG thumbnail, and the clip's real duration and size."""

    path: Path
    thumbnail: Path
    duration: float
    width: int
    height: int
    # The reframe that was applied (None: the source's frame, or a centre crop), and how many
    # caption cues were burned in.
    reframe: CropPlan | None = None
    captions: int = 0


def render_clip(
    source: str | os.PathLike[str],
    start: float,
    end: float,
    out: str | os.PathLike[str],
    *,
    aspect: str = "source",
    options: RenderOptions | None = None,
    find_faces: FaceFinder | None = None,
    cues: Sequence[Cue] = (),
    thumbnail: str | os.PathLike[str] | None = None,
    thumbnail_at: float | None = None,
    ffmpeg: str | None = None,
    smart_cut: bool = True,
) -> RenderResult:
    """Render ``source[start:end]`` (seconds) into an H.264/AAC mp4 at ``out``.

    ``options`` (default: ``RenderOptions(aspect=aspect)``) say the shape, framing and whether
    to burn in captions. ``"source"`` keeps the source's frame (smart-cut when possible); the
    other aspects reframe: with ``find_faces`` (BGR frames in, faces out) and framing
    ``"auto"``, a face-tracked crop planned shot by shot, with the blurred-background fit
    layout where no crop works (docs/reframe.md); ``"fit"`` letterboxes every shot; otherwise
    (``"centre"``, or no ``find_faces``) the centre crop. ``cues`` are the
    source's captions (source seconds); with ``options.captions`` the ones inside the clip
    are burned in (docs/captions.md). The JPEG thumbnail goes to ``thumbnail`` (default: ``out`` with a
    ``.jpg`` suffix) and shows the frame at ``thumbnail_at`` (a source time inside the clip;
    default the clip's middle). ``smart_cut=False`` forces a full re-encode. Raises
    MediaError for unusable sources or failed renders and ValueError for invalid arguments.

    The clip holds the source frames shown at ``start <= t < end`` (within 1 ms); ``end`` is
    clamped to the source's duration, and a source without audio gives a clip without audio.
    """
    # Absolute paths: ffmpeg would read "name:with-colon.mp4" as a protocol, "-x.mp4" as an option.
    source_path, out_path = Path(source).absolute(), Path(out).absolute()
    thumb_path = (Path(thumbnail).absolute() if thumbnail is not None
                  else out_path.with_suffix(".jpg"))
    options = options or RenderOptions(aspect=aspect)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError("start and end must be finite numbers of seconds")
    if start < 0:
        raise ValueError("start must not be negative")
    if end <= start:
        raise ValueError("end must be after start")
    reframe = ASPECT_RATIOS[options.aspect]
    exe = find_ffmpeg(ffmpeg)
    if not source_path.is_file():
        raise MediaError("The source video file was not found.")
    header, _ = read_header(source_path, exe)
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
    started: list[Job] = []
    try:
        scan = scan_window(exe, source_path, start, end + 1.0, work)
        wanted = (start + header.start + BOUNDARY_TOLERANCE) / float(scan.time_base)
        if start > 0 and min((p.pts for p in scan.packets), default=0) > wanted:
            # The seek landed after the start (a broken index): read from the beginning.
            scan = scan_window(exe, source_path, 0.0, end + 1.0, work)
        plan = plan_clip(scan, header, start, end)
        clip_tmp, thumb_tmp = work / "clip.mp4", work / "thumb.jpg"
        clip_cues = (cues_for_clip(cues, plan.seconds(plan.first), plan.seconds(plan.end))
                     if options.captions else [])
        crop_plan, graph, still = _frame_graph(exe, source_path, header, plan, options, reframe,
                                               find_faces, clip_cues, thumbnail_at, scan, work)
        thumb_job = spawn(thumbnail_cmd(exe, source_path, scan, plan, thumbnail_at, reframe,
                                        thumb_tmp, still), what="thumbnail", started=started)
        smart = reframe.keeps_source_frame and smart_cut and graph is None
        reason = smartcut.smart_cut_blocker(header, scan) if smart else None
        done = False
        if smart and reason is None:
            try:
                done = smartcut.smart_cut(exe, source_path, header, scan, plan, work, clip_tmp,
                                          started)
                reason = None if done else "no IDR frame inside the clip"
            except smartcut.NotSmartCuttable as exc:
                reason = str(exc)
        if not done:
            if smart:
                logger.info("full re-encode of %s: %s", source_path.name, reason)
            full_encode(exe, source_path, header, plan, reframe, clip_tmp, graph)
        wait_all([thumb_job])
        info = _check_output(exe, clip_tmp, plan, header)
        os.replace(thumb_tmp, thumb_path)
        os.replace(clip_tmp, out_path)
        return RenderResult(path=out_path, thumbnail=thumb_path, duration=info[0],
                            width=info[1], height=info[2], reframe=crop_plan,
                            captions=len(clip_cues))
    finally:
        stop_all(started)
        shutil.rmtree(work, ignore_errors=True)


def _frame_graph(exe: str, source: Path, header: Header, plan: Plan, options: RenderOptions,
                 aspect: Aspect, find_faces: FaceFinder | None, cues: list[Cue],
                 thumbnail_at: float | None, scan: Scan, work: Path,
                 ) -> tuple[CropPlan | None, str | None, str | None]:
    """(the reframe plan, the encode's filter graph, the thumbnail's filter); graph None: the
    aspect's own filter (or a smart cut) will do."""
    video = header.video
    assert video is not None
    size = aspect.size or (video.width or 2, video.height or 2)
    size = (size[0] // 2 * 2, size[1] // 2 * 2)
    crop_plan: CropPlan | None = None
    # "auto" needs a face finder; without one it is the centre crop.
    wanted = options.framing == "fit" or (options.framing == "auto" and find_faces is not None)
    if options.reframes and wanted and aspect.ratio and video.width and video.height:
        source_size = (video.width, video.height)
        start = plan.seconds(plan.first)
        if options.framing == "fit":
            crop_plan = plan_reframe([], [], plan.duration, source_size, aspect.ratio, 1.0)
        else:
            analysis = analyse_clip(exe, source, start, plan.duration, source_size, find_faces)
            crop_plan = plan_reframe(analysis.samples, analysis.cuts, plan.duration,
                                     source_size, aspect.ratio, video.fps or 30.0)
            logger.info("reframe of %s: %s", source.name, ", ".join(
                f"{s.start:.1f}-{s.end:.1f}s {s.layout} ({s.reason})" for s in crop_plan.shots))
    captions = None
    if cues:
        ass = work / "captions.ass"
        ass.write_text(to_ass(cues, size), encoding="utf-8")
        fonts = font_dir()
        captions = f"ass=filename={framing.safe_filter_path(ass)}" + (
            f":fontsdir={framing.safe_filter_path(fonts)}" if fonts else "")
    if crop_plan is None and captions is None:
        return None, None, None
    commands = None
    if crop_plan is not None and "track" in crop_plan.layouts:
        commands = work / "reframe.cmd"
        commands.write_text(framing.crop_commands(crop_plan, video.fps or 30.0))
    graph = framing.reframe_graph(crop_plan, size, commands, captions, aspect.filter)
    still = None
    if crop_plan is not None:
        _, at = thumbnail_time(scan, plan, thumbnail_at)
        still = framing.still_filter(crop_plan, size, at - plan.seconds(plan.first),
                                     aspect.filter)
    return crop_plan, graph, still


def _check_output(exe: str, path: Path, plan: Plan, header: Header) -> tuple[float, int, int]:
    """Cheap sanity check of the rendered file (header and packet count, no decoding):
    (duration, width, height)."""
    out_header, _ = read_header(path, exe)
    video = out_header.video if out_header else None
    if out_header is None or video is None or not video.width or not video.height:
        raise MediaError(_FAILED)
    frames = packet_count(exe, path)
    if frames != plan.frames:
        logger.warning("rendered %s frames instead of %s", frames, plan.frames)
        raise MediaError(_FAILED)
    if header.audio and out_header.audio is None:
        raise MediaError(_FAILED)
    return round(plan.duration, 3), video.width, video.height
