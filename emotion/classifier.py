"""Emotion classifiers described by a manifest, run through LiteRT.

A manifest (JSON next to the model file) gives the model's input and labels; the labels are
folded into the five emotions of ``emotion.vocabulary``. Keras files are converted to
``.tflite`` once and cached. Fields and rules: docs/emotion-engine.md#classifier-manifests.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .litert import LiteModel
from .model_files import atomic_write, sha256_of
from .vocabulary import EMOTIONS  # also importable as ``emotion.classifier.EMOTIONS``

logger = logging.getLogger(__name__)

COLORS = ("gray", "rgb", "bgr")
NORMALIZATIONS = {"unit": (1 / 255.0, 0.0), "symmetric": (1 / 127.5, -1.0), "raw": (1.0, 0.0)}
KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")

# Conversions of one file by two threads at once would both pay for TensorFlow; one lock suffices
# because conversion happens once per model per machine.
_conversion_lock = threading.Lock()


class ManifestError(ValueError):
    """A model manifest is missing, malformed or points at an unusable file."""


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated emotion-model manifest."""

    path: Path
    name: str
    file: Path
    input_size: tuple[int, int]  # width, height
    color: str
    normalization: str
    labels: tuple[str, ...]
    label_map: dict[str, str | None] = field(default_factory=dict)
    crop_scale: float = 1.15

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read and validate a manifest file; raises ``ManifestError`` with the reason."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raise ManifestError(f"Emotion model manifest {path} does not exist") from None
        except (OSError, ValueError) as exc:
            raise ManifestError(f"Emotion model manifest {path} is not valid JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise ManifestError(f"{path}: a manifest is a JSON object")
        for key in ("file", "input_size", "color", "normalization", "labels"):
            if key not in raw:
                raise ManifestError(f"{path}: missing {key!r}")
        size = raw["input_size"]
        if isinstance(size, int):
            size = [size, size]
        if not (
            isinstance(size, list)
            and len(size) == 2
            and all(isinstance(v, int) and v > 0 for v in size)
        ):
            raise ManifestError(f"{path}: input_size must be a positive int or [width, height]")
        if raw["color"] not in COLORS:
            raise ManifestError(f"{path}: color must be one of {COLORS}, not {raw['color']!r}")
        if raw["normalization"] not in NORMALIZATIONS:
            raise ManifestError(
                f"{path}: normalization must be one of {sorted(NORMALIZATIONS)}, "
                f"not {raw['normalization']!r}"
            )
        labels = raw["labels"]
        if not (isinstance(labels, list) and labels and all(isinstance(v, str) for v in labels)):
            raise ManifestError(f"{path}: labels must be a non-empty list of strings")
        label_map = raw.get("label_map") or {}
        for label in labels:
            if label not in EMOTIONS and label not in label_map:
                raise ManifestError(
                    f"{path}: label {label!r} is not one of {EMOTIONS}; map it in label_map "
                    "(to one of them, or to null to drop it)"
                )
        for label, target in label_map.items():
            if target is not None and target not in EMOTIONS:
                raise ManifestError(f"{path}: label_map sends {label!r} to unknown {target!r}")
        file = (path.parent / raw["file"]).resolve()
        if not file.is_file():
            raise ManifestError(f"{path}: model file {file} does not exist")
        if file.suffix not in (".tflite", *KERAS_SUFFIXES):
            raise ManifestError(
                f"{path}: model file must be .tflite, .h5 or .keras, not {file.name}"
            )
        return cls(
            path=path,
            name=str(raw.get("name", path.parent.name)),
            file=file,
            input_size=(size[0], size[1]),
            color=raw["color"],
            normalization=raw["normalization"],
            labels=tuple(labels),
            label_map=dict(label_map),
            crop_scale=float(raw.get("crop_scale", 1.15)),
        )

    def mapping_matrix(self) -> np.ndarray:
        """(len(labels), 5) matrix that sums model probabilities into the five emotions."""
        matrix = np.zeros((len(self.labels), len(EMOTIONS)), np.float32)
        for i, label in enumerate(self.labels):
            target = self.label_map.get(label, label)
            if target is not None:
                matrix[i, EMOTIONS.index(target)] = 1.0
        return matrix


def converted_path(source: Path) -> Path:
    """Where the ``.tflite`` conversion of a Keras file is cached (keyed by its content)."""
    return source.with_name(f"{source.stem}.{sha256_of(source)[:16]}.tflite")


def convert_keras_to_tflite(source: Path) -> Path:
    """Convert a Keras ``.h5``/``.keras`` file to ``.tflite`` once; return the cached path.

    TensorFlow is imported here and nowhere on the inference path.
    """
    source = Path(source)
    target = converted_path(source)
    with _conversion_lock:
        if target.is_file():
            return target
        logger.info("Converting %s to LiteRT (once; cached as %s)", source.name, target.name)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras
        import tensorflow as tf

        model = keras.models.load_model(source, compile=False)
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        atomic_write(target, converter.convert())
    return target


class EmotionClassifier:
    """Classifies face crops with the model a manifest describes, into the five emotions."""

    def __init__(self, manifest: Manifest, num_threads: int = 1) -> None:
        self.manifest = manifest
        file = manifest.file
        if file.suffix in KERAS_SUFFIXES:
            file = convert_keras_to_tflite(file)
        self.model = LiteModel(file, num_threads=num_threads)
        self._matrix = manifest.mapping_matrix()
        scale, offset = NORMALIZATIONS[manifest.normalization]
        self._scale = np.float32(scale)
        self._offset = np.float32(offset)
        shape = self.model.input_shape
        channels = 1 if manifest.color == "gray" else 3
        expected = (manifest.input_size[1], manifest.input_size[0], channels)
        if tuple(shape[1:]) != expected:
            raise ManifestError(
                f"{manifest.path}: the model takes input {tuple(shape[1:])} but the manifest "
                f"says {expected} (input_size {manifest.input_size}, color {manifest.color})"
            )
        out = self.model.run(np.zeros((1, *expected), np.float32))[0]
        if out.shape[1] != len(manifest.labels):
            raise ManifestError(
                f"{manifest.path}: the model has {out.shape[1]} outputs but "
                f"{len(manifest.labels)} labels"
            )

    @property
    def channels(self) -> int:
        return 1 if self.manifest.color == "gray" else 3

    def raw_probabilities(self, crops: np.ndarray) -> np.ndarray:
        """Model outputs (n, len(labels)) for uint8 crops (n, h, w[, c]) in manifest colour."""
        x = crops.astype(np.float32).reshape(len(crops), *self.model.input_shape[1:])
        x *= self._scale
        x += self._offset
        (probs,) = self.model.run(x)[:1]
        return probs

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        """Probabilities (n, 5) over ``EMOTIONS`` for uint8 crops in manifest colour."""
        if len(crops) == 0:
            return np.zeros((0, len(EMOTIONS)), np.float32)
        probs = self.raw_probabilities(crops)
        # A model whose head has no softmax still yields a distribution after this clip+sum.
        folded = np.clip(probs, 0.0, None) @ self._matrix
        total = folded.sum(axis=1, keepdims=True)
        uniform = np.full_like(folded, 1.0 / len(EMOTIONS))
        return np.where(total > 0, folded / np.maximum(total, 1e-12), uniform)
