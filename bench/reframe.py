"""Reframe: framing, smoothness and render time of the face-tracked 9:16 against the centre crop.

Run from the repository root::

    .venv/bin/python -m bench.reframe            # 3 rounds (~2 min)
    .venv/bin/python -m bench.reframe --rounds 1

The footage is GENERATED, not filmed: no registry package ships real face videos, so
bench/footage.py moves real face photos (scikit-image's astronaut and an LFW face) over photo
backgrounds: 1080p25, 12 s, shot 1 a large off-centre subject swaying beside a smaller second
person, a hard cut, shot 2 the subject walking across the frame. The subject's face box is
known in every frame.

Figures, in one run:

* share of output frames with the subject's face fully inside the crop (a fit-layout frame
  shows the whole picture, so it counts as inside): reframe vs centre crop;
* crop-centre reversals per second (direction changes of the crop's centre): reframe vs a
  naive tracker that centres the detected face on every sample (linear in between);
* render time (wall and ffmpeg CPU) of ``render_clip`` 9:16 with the reframe vs the centre
  crop, interleaved, median of the rounds; ratio against the centre crop;
* the shot cut found by ffmpeg's scene score vs the true cut;
* faces found by the short-range model, the full-range model on the whole frame and the
  full-range model over square tiles, in a generated group picture of 5 LFW faces.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from emotion.detection import FULL_RANGE, FaceDetector, VideoFaceFinder, detect_in_tiles
from emotion.litert import LiteModel
from render import RenderOptions, find_ffmpeg, render_clip
from render.reframe import CropPlan, crop_size, reversals
from render.scenes import analyse_clip

from .footage import Footage, two_person

MODELS = Path(__file__).resolve().parents[1] / "models"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def inside_share(footage: Footage, crop_at, crop_w: int) -> float:
    inside = 0
    for index, (x, _, w, _) in enumerate(footage.subject):
        left = crop_at(index / footage.fps)
        inside += left is None or (left <= x and x + w <= left + crop_w)
    return inside / footage.frames


def plan_path(plan: CropPlan, footage: Footage) -> list[float]:
    crop_w = plan.crop_size[0]
    path = []
    for i in range(footage.frames):
        at = plan.crop_at(i / footage.fps)
        path.append(at[0] + crop_w / 2 if at else footage.size[0] / 2)
    return path


def group_picture() -> np.ndarray:
    from skimage import data

    lfw = data.lfw_subset()
    canvas = np.full((720, 1280, 3), 90, np.uint8)
    for i in range(5):
        face = cv2.resize((lfw[i] * 255).astype(np.uint8), (150, 150),
                          interpolation=cv2.INTER_CUBIC)
        canvas[260:410, 60 + i * 240 : 210 + i * 240] = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ffmpeg = find_ffmpeg()
    finder = VideoFaceFinder(MODELS)
    print("Footage: GENERATED from real face photos (scikit-image astronaut + LFW), moving, "
          "with a cut in the middle; no registry package ships real face videos.")
    with tempfile.TemporaryDirectory(prefix="bench-reframe-") as tmp:
        work = Path(tmp)
        footage = two_person(work / "two.mp4", ffmpeg, seconds=12.0, size=(1920, 1080),
                             fps=25, head_height=420)
        duration = footage.frames / footage.fps
        finder([np.zeros((360, 640, 3), np.uint8)])  # load the model outside the timings
        timings: dict[str, list[tuple[float, float, float]]] = {"centre": [], "reframe": []}
        result = None
        for _ in range(args.rounds):
            for name, options in (("centre", RenderOptions(aspect="9:16", framing="centre")),
                                  ("reframe", RenderOptions(aspect="9:16"))):
                cpu, own, wall = _children_cpu(), _own_cpu(), time.perf_counter()
                out = render_clip(footage.path, 0.0, duration, work / f"{name}.mp4",
                                  options=options, find_faces=finder)
                timings[name].append((time.perf_counter() - wall, _children_cpu() - cpu,
                                      _own_cpu() - own))
                if name == "reframe":
                    result = out
        assert result is not None and result.reframe is not None
        plan = result.reframe
        crop_w = crop_size(footage.size, (9, 16))[0]
        centre_left = (footage.size[0] - crop_w) // 2

        analysis = analyse_clip(ffmpeg, footage.path, 0.0, duration, footage.size, finder)
        naive_t = [s.t for s in analysis.samples if s.faces]
        naive_x = [max(s.faces, key=lambda f: f.w).cx for s in analysis.samples if s.faces]
        naive = np.interp(np.arange(footage.frames) / footage.fps, naive_t, naive_x)

        print("\nshots: " + ", ".join(f"{s.start:.2f}-{s.end:.2f}s {s.layout} ({s.reason})"
                                       for s in plan.shots))
        print(f"shot cut: true {footage.cut:.2f} s, found {list(analysis.cuts)} "
              "(ffmpeg scene score > 0.3 at 160 px wide)")
        share = inside_share(footage, lambda t: plan.crop_at(t) and plan.crop_at(t)[0],
                             crop_w)
        centre_share = inside_share(footage, lambda t: centre_left, crop_w)
        print(f"face fully inside the crop: reframe {100 * share:.1f} % of frames, "
              f"centre crop {100 * centre_share:.1f} %")
        rev = reversals(plan_path(plan, footage)) / duration
        naive_rev = reversals(list(naive)) / duration
        print(f"crop-centre reversals: reframe {rev:.3f}/s, naive face-centring "
              f"{naive_rev:.3f}/s")
        medians = {}
        for name in ("centre", "reframe"):
            walls, cpus, owns = zip(*timings[name], strict=True)
            medians[name] = (statistics.median(walls),
                             statistics.median(c + o for c, o in zip(cpus, owns, strict=True)))
            print(f"render {name:8s} wall {medians[name][0]:6.2f} s   CPU (ffmpeg + face "
                  f"detection) {medians[name][1]:6.2f} s")
        print(f"reframe / centre crop: wall {medians['reframe'][0] / medians['centre'][0]:.2f}x,"
              f" CPU {medians['reframe'][1] / medians['centre'][1]:.2f}x")

    picture = group_picture()
    short = FaceDetector(LiteModel(MODELS / "mediapipe/face_detection_short_range.tflite"))
    full = FaceDetector(LiteModel(MODELS / "mediapipe/face_detection_full_range_sparse.tflite"),
                        spec=FULL_RANGE)
    print("\ngroup picture, 5 faces of 150 px in 1280x720 (generated from LFW photos): "
          f"short-range {len(short.detect([picture])[0])}, "
          f"full-range whole frame {len(full.detect([picture])[0])}, "
          f"full-range tiles {len(detect_in_tiles(full, [picture])[0])}, "
          f"short-range tiles {len(detect_in_tiles(short, [picture])[0])}")


if __name__ == "__main__":
    main()
