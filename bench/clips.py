"""Clip rendering: speed and quality against the prototype's one-ffmpeg-per-clip way.

Run from the repository root::

    .venv/bin/python -m bench.clips            # 5 clips + quality figures (2.5-3.5 min)
    .venv/bin/python -m bench.clips --quick    # 2 clips, no quality figures (~1 min)

(the first run also spends about a minute generating the source video.)

The source is a generated 1080p30, 120 s H.264 (x264 veryfast: High profile, 3 B-frames)
+ AAC stereo video with an IDR frame every ``--gop`` seconds (default 4: YouTube downloads
have keyframes every 2-5 s). It is cached in the temp directory; ``--fresh`` regenerates it.

Per clip (20 s, starting between keyframes), in the same run and interleaved so that load
from other processes hits all of them alike:

(a) the prototype: ``ffmpeg -ss S -i in -t 20 -c:v libx264 -c:a aac out.mp4`` (x264 medium);
(b) ``render_clip(aspect="source")``: smart cut (re-encode up to the first IDR and from the
    last one, copy the packets between);
(c) ``render_clip(aspect="9:16")``: full re-encode of a 1080x1920 centre crop.

Wall time and CPU time (all ffmpeg children, user+sys) are printed with their ratio to (a);
CPU time is the steadier figure on a shared machine. Every (b) and (c) clip is checked:
decodes without errors, duration within 0.1 s of 20 s, exactly the frames of [S, S+20), first
frame identical to the source's frame at S (downscaled comparison). Quality (not with
``--quick``) is SSIM/PSNR against the decoded source over the first clip: (a) vs (b), and
(c) vs the prototype's way applied to the same 9:16 crop (x264 medium, CRF 23).
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from render import VERTICAL_FILTER, find_ffmpeg, probe_media, render_clip

FPS = 30
DURATION = 120
CLIP = 20.0
# Starts between keyframes for any GOP of 2-5 s, spread over the video.
STARTS = [7.3, 29.55, 48.1, 71.9, 93.37]


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(timing: Timing, action: Callable[[], object]) -> None:
    cpu, wall = child_cpu(), time.perf_counter()
    action()
    timing.wall.append(time.perf_counter() - wall)
    timing.cpu.append(child_cpu() - cpu)


def ffmpeg_run(ffmpeg: str, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-v", "error", *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"ffmpeg failed: {proc.stderr[-2000:]}")
    return proc


def make_source(ffmpeg: str, gop: float, fresh: bool) -> Path:
    cache = Path(tempfile.gettempdir()) / "shortory-bench"
    cache.mkdir(exist_ok=True)
    path = cache / f"source-1080p30-{DURATION}s-gop{gop:g}.mp4"
    if path.exists() and not fresh:
        print(f"source: {path} (cached; --fresh regenerates)")
        return path
    frames = round(gop * FPS)
    print(f"source: generating {path.name} (1080p30, {DURATION} s, IDR every {gop:g} s)...",
          flush=True)
    began = time.perf_counter()
    partial = path.with_suffix(".part.mp4")
    ffmpeg_run(ffmpeg, "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r={FPS}:d={DURATION}",
               "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={DURATION}",
               "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", str(frames),
               "-keyint_min", str(frames), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
               "-c:a", "aac", "-ac", "2", "-b:a", "128k", "-movflags", "+faststart",
               "-y", str(partial))
    partial.replace(path)
    print(f"        generated in {time.perf_counter() - began:.1f} s")
    return path


def prototype(ffmpeg: str, source: Path, start: float, out: Path, vf: str | None = None) -> None:
    """The prototype's command, verbatim (plus the crop filter for its 9:16 variant)."""
    args = ["-ss", f"{start}", "-i", str(source), "-t", f"{CLIP}"]
    if vf:
        args += ["-vf", vf]
    ffmpeg_run(ffmpeg, *args, "-c:v", "libx264", "-c:a", "aac", "-y", str(out))


def grey_frames(ffmpeg: str, path: Path, *, start: float | None = None,
                frames: int | None = None, portrait: bool = False,
                crop: bool = False) -> tuple[np.ndarray, str]:
    """Decoded frames as stored (no frame-rate conversion), grey 160x90 (90x160 when
    ``portrait``; after the 9:16 centre crop when ``crop``), and the decoder's error output."""
    w, h = (90, 160) if portrait else (160, 90)
    args = ["-ss", f"{start}"] if start is not None else []
    args += ["-i", str(path), "-map", "0:V:0", "-fps_mode", "passthrough"]
    if frames is not None:
        args += ["-frames:v", str(frames)]
    crop_filter = f"{VERTICAL_FILTER}," if crop else ""
    proc = subprocess.run([ffmpeg, "-nostdin", "-v", "error", *args, "-vf",
                           f"{crop_filter}scale={w}:{h}:flags=area", "-f", "rawvideo",
                           "-pix_fmt", "gray", "-"], capture_output=True, check=False)
    errors = proc.stderr.decode(errors="replace").strip() or (
        f"exit {proc.returncode}" if proc.returncode else "")
    return np.frombuffer(proc.stdout, np.uint8).reshape(-1, h, w).astype(np.float64), errors


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def check_clip(ffmpeg: str, clip: Path, source: Path, start: float, vertical: bool) -> str:
    """Playability and frame accuracy of one rendered clip; returns a short verdict."""
    problems = []
    info = probe_media(clip, full_scan=False)
    if abs(info.duration - CLIP) > 0.1:
        problems.append(f"duration {info.duration:.3f}")
    if vertical and (info.width, info.height) != (1080, 1920):
        problems.append(f"size {info.width}x{info.height}")
    # Exactly the source frames with start <= t < start + 20.
    first = math.ceil(Fraction(str(start)) * FPS)
    expected = math.ceil((Fraction(str(start)) + Fraction(str(CLIP))) * FPS) - first
    decoded, errors = grey_frames(ffmpeg, clip, portrait=vertical)  # all of it, cleanly
    if errors:
        problems.append(f"decode errors: {errors[:200]}")
    if len(decoded) != expected:
        problems.append(f"{len(decoded)} frames, expected {expected}")
    # The first frame is the source's frame `first`, not a neighbour: decode the source's
    # frames up to first+1 from a second earlier (with the same crop) and compare.
    lead = max(0, first - FPS)
    # (seeking half a frame before frame `lead`, so that rounding cannot skip it)
    around, _ = grey_frames(ffmpeg, source, start=(lead - 0.5) / FPS if lead else None,
                            frames=first - lead + 2, portrait=vertical, crop=vertical)
    scores = {k: psnr(decoded[0], around[k - lead]) for k in (first - 1, first, first + 1)
              if 0 <= k - lead < len(around)}
    if max(scores, key=scores.__getitem__) != first or scores[first] < 35:
        problems.append("first frame is not the source frame at start (" +
                        ", ".join(f"{k}: {v:.0f} dB" for k, v in scores.items()) + ")")
    return "ok" if not problems else "; ".join(problems)


def quality(ffmpeg: str, clip: Path, source: Path, start: float, vertical: bool) -> str:
    """SSIM (All) and PSNR (average) of the clip against the decoded source over its frames."""
    ref = f"{VERTICAL_FILTER}," if vertical else ""
    graph = (f"[0:v]setpts=PTS-STARTPTS,split[a0][a1];"
             f"[1:v]{ref}setpts=PTS-STARTPTS,split[b0][b1];"
             f"[a0][b0]ssim=shortest=1;[a1][b1]psnr=shortest=1")
    proc = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-i", str(clip), "-ss",
                           f"{start}", "-t", f"{CLIP}", "-i", str(source), "-lavfi", graph,
                           "-f", "null", "-"], capture_output=True, text=True, check=False)
    ssim = re.search(r"SSIM .*All:([\d.]+)", proc.stderr)
    value = re.search(r"PSNR .*average:([\d.inf]+)", proc.stderr)
    size = clip.stat().st_size / 1e6
    return (f"SSIM {float(ssim[1]):.5f}  PSNR {value[1] if value else '?'} dB  "
            f"{size:.1f} MB" if ssim else "n/a")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 clips, no quality figures")
    parser.add_argument("--gop", type=float, default=4.0, help="source keyframe interval (s)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the source")
    parser.add_argument("--keep", type=Path, help="keep the rendered clips in this directory")
    args = parser.parse_args()

    ffmpeg = find_ffmpeg()
    source = make_source(ffmpeg, args.gop, args.fresh)
    starts = STARTS[:2] if args.quick else STARTS
    work = Path(tempfile.mkdtemp(prefix="shortory-bench-clips-"))
    timings = {"a": Timing(), "b": Timing(), "c": Timing()}
    outputs: dict[str, list[Path]] = {"a": [], "b": [], "c": []}
    try:
        print(f"\n{len(starts)} clips x {CLIP:g} s; seconds per clip, wall (cpu):")
        print(f"{'start':>7}  {'(a) prototype':>16}  {'(b) source':>16}  {'(c) 9:16':>16}")
        for i, start in enumerate(starts):
            a, b, c = (work / f"{kind}{i}.mp4" for kind in "abc")
            timed(timings["a"], lambda a=a, s=start: prototype(ffmpeg, source, s, a))
            timed(timings["b"], lambda b=b, s=start: render_clip(source, s, s + CLIP, b))
            timed(timings["c"], lambda c=c, s=start: render_clip(source, s, s + CLIP, c,
                                                                aspect="9:16"))
            for kind, path in zip("abc", (a, b, c), strict=True):
                outputs[kind].append(path)
            cells = [f"{t.wall[-1]:6.2f} ({t.cpu[-1]:6.2f})" for t in timings.values()]
            print(f"{start:7.2f}  " + "  ".join(f"{cell:>16}" for cell in cells), flush=True)

        total = {k: (sum(t.wall), sum(t.cpu)) for k, t in timings.items()}
        print("  total  " + "  ".join(f"{w:6.2f} ({c:6.2f})".rjust(16)
                                      for w, c in total.values()))
        base_wall, base_cpu = total["a"]
        print("\nratio to (a), wall (cpu):")
        for kind, label, aim in (("b", "(b) source aspect, smart cut", 0.2),
                                 ("c", "(c) 9:16 re-encode", 0.5)):
            wall, cpu = total[kind]
            print(f"  {label:30s} {wall / base_wall:.3f}x ({cpu / base_cpu:.3f}x)   aim <= {aim}x")

        print("\nchecks (decodes cleanly, 20 s +-0.1, exact frames, first frame = source at S):")
        for kind, vertical in (("b", False), ("c", True)):
            verdicts = [check_clip(ffmpeg, path, source, start, vertical)
                        for path, start in zip(outputs[kind], starts, strict=True)]
            print(f"  ({kind}) " + ", ".join(verdicts))

        if not args.quick:
            print(f"\nquality against the decoded source, clip at {starts[0]} s:")
            print(f"  (a) prototype, x264 medium CRF 23:     "
                  f"{quality(ffmpeg, outputs['a'][0], source, starts[0], False)}")
            print(f"  (b) smart cut (copy + CRF 18 edges):   "
                  f"{quality(ffmpeg, outputs['b'][0], source, starts[0], False)}")
            proto_vertical = work / "a-vertical.mp4"
            prototype(ffmpeg, source, starts[0], proto_vertical, vf=VERTICAL_FILTER)
            print(f"  9:16, prototype's way (medium CRF 23): "
                  f"{quality(ffmpeg, proto_vertical, source, starts[0], True)}")
            print(f"  (c) 9:16, render_clip:                 "
                  f"{quality(ffmpeg, outputs['c'][0], source, starts[0], True)}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in work.glob("*.mp4"):
                shutil.copy2(path, args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
