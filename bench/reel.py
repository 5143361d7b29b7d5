"""Highlight reel: what moviepy's composition costs over a plain ffmpeg concat.

Run from the repository root::

    .venv/bin/python -m bench.reel            # 720p30 source, 5 × 10 s moments
    .venv/bin/python -m bench.reel --quick    # 360p, 3 × 6 s

Both ways start from the same cuts (``render_clip``, the fast ffmpeg path the product uses
for every clip; timed once, reported apart) and are timed in the same run, interleaved:

(a) baseline: the ffmpeg concat demuxer over the cuts with ``-c copy`` (no transitions, no
    cards: what joining costs at the least);
(b) baseline': the concat filter, re-encoded with the product's x264 settings (the cheapest
    re-encoded join, needed as soon as anything is drawn);
(c) ``compose_reel`` without title cards (0.5 s crossfades, one encode by moviepy);
(d) ``compose_reel`` with title cards.

Wall and CPU time (this process and its ffmpeg children) are printed with their ratio to (a)
and to (b). Each output's duration is checked.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from render import X264_PRESET, find_ffmpeg, probe_media, render_clip
from render.reel import CROSSFADE, TITLE_CARD, ReelSegment, compose_reel


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(work: Callable[[], Path]) -> tuple[float, float, Path]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    out = work()
    return time.perf_counter() - wall, cpu_seconds() - cpu, out


def make_source(path: Path, seconds: int, size: str, exe: str) -> Path:
    if not path.exists():
        subprocess.run([exe, "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size={size}:rate=30:duration={seconds}", "-f", "lavfi", "-i",
                        f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset",
                        "veryfast", "-g", "120", "-pix_fmt", "yuv420p", "-c:a", "aac",
                        "-shortest", str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    size, count, length = ("640x360", 3, 6.0) if args.quick else ("1280x720", 5, 10.0)
    exe = find_ffmpeg()
    work = Path(tempfile.mkdtemp(prefix="bench-reel-"))
    source = make_source(Path(tempfile.gettempdir()) / f"bench-reel-{size}.mp4", 120, size, exe)
    starts = [7.3 + i * 21.7 for i in range(count)]

    wall, cpu = time.perf_counter(), cpu_seconds()
    cuts = [render_clip(source, s, s + length, work / f"cut{i}.mp4").path
            for i, s in enumerate(starts)]
    print(f"cuts (render_clip, shared by all): {time.perf_counter() - wall:.2f} s wall, "
          f"{cpu_seconds() - cpu:.2f} s CPU for {count} × {length:.0f} s at {size}")

    def concat_copy() -> Path:
        listing = work / "list.txt"
        listing.write_text("".join(f"file '{c}'\n" for c in cuts))
        out = work / "concat.mp4"
        subprocess.run([exe, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                        str(listing), "-c", "copy", str(out)], check=True)
        return out

    def concat_encode() -> Path:
        out = work / "concat-enc.mp4"
        inputs = [arg for c in cuts for arg in ("-i", str(c))]
        streams = "".join(f"[{i}:v:0][{i}:a:0]" for i in range(count))
        subprocess.run([exe, "-v", "error", "-y", *inputs, "-filter_complex",
                        f"{streams}concat=n={count}:v=1:a=1[v][a]", "-map", "[v]", "-map", "[a]",
                        "-c:v", "libx264", "-preset", X264_PRESET, "-c:a", "aac", str(out)],
                       check=True)
        return out

    def reel(cards: bool) -> Callable[[], Path]:
        def run() -> Path:
            out = work / f"reel-{int(cards)}.mp4"
            segments = [ReelSegment(c, f"#{i + 1} · 0:{int(starts[i]):02d} · 17 viewers")
                        for i, c in enumerate(cuts)]
            return compose_reel(segments, out, thumbnail=out.with_suffix(".jpg"),
                                title_cards=cards).path
        return run

    ways: dict[str, tuple[Callable[[], Path], float]] = {
        "(a) ffmpeg concat -c copy": (concat_copy, count * length),
        "(b) ffmpeg concat filter, x264": (concat_encode, count * length),
        "(c) moviepy, crossfades": (reel(False), count * length - (count - 1) * CROSSFADE),
        "(d) moviepy, crossfades + title cards": (
            reel(True), count * (length + TITLE_CARD) - (2 * count - 1) * CROSSFADE),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, (way, expected) in ways.items():
            seconds, cpu_used, out = timed(way)
            duration = probe_media(out, full_scan=False).duration
            assert abs(duration - expected) < 0.2, (name, duration, expected)
            results[name].append((seconds, cpu_used))
    best = {name: (min(w for w, _ in r), min(c for _, c in r)) for name, r in results.items()}
    base_a, base_b = best["(a) ffmpeg concat -c copy"], best["(b) ffmpeg concat filter, x264"]
    print(f"best of {args.rounds} rounds; output {count * length:.0f} s of video")
    print(f"{'way':42} {'wall s':>7} {'CPU s':>7} {'wall/(a)':>9} {'wall/(b)':>9} {'CPU/(b)':>8}")
    for name, (w, c) in best.items():
        print(f"{name:42} {w:7.2f} {c:7.2f} {w / base_a[0]:9.1f} {w / base_b[0]:9.2f} "
              f"{c / base_b[1]:8.2f}")


if __name__ == "__main__":
    main()
