"""Train a five-emotion classifier the seed's way and export it for the recognizer.

MobileNetV2 on a FER2013 CSV or a folder per class, in two phases (head, then fine-tuning),
exported with a manifest so ``EmotionRecognizer(manifest=...)`` uses it at once. TensorFlow is
imported inside ``train_emotion_model`` only. The recipe: docs/emotion-engine.md#training.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .vocabulary import EMOTIONS, FER2013_EXTRA, FER2013_LABELS

logger = logging.getLogger(__name__)

#: The trained model's output classes: the five emotions, alphabetically (the seed's order).
LABELS: tuple[str, ...] = tuple(sorted(EMOTIONS))
#: FER2013 classes that are not among the five; their rows and folders are skipped.
DROPPED: tuple[str, ...] = FER2013_EXTRA
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".webp")
IMAGENET_SIZES = (96, 128, 160, 192, 224)


class TrainingError(ValueError):
    """The training data or options cannot produce a model (the message says why)."""


@dataclass
class TrainingConfig:
    """Options for ``train_emotion_model``; defaults follow the seed's recipe."""

    data: Path
    out: Path
    image_size: int = 96
    epochs: int = 20
    fine_tune_epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    fine_tune_learning_rate: float = 1e-5
    fine_tune_from: str = "block_13_expand"
    validation_fraction: float = 0.1
    patience: int = 5
    seed: int = 0
    weights: str = "auto"  # auto: ImageNet from the Keras cache if present; none: random


@dataclass
class Dataset:
    """Images (uint8, (n, h, w, c) with c 1 or 3), label indices into ``LABELS``, split."""

    images: np.ndarray
    labels: np.ndarray
    is_validation: np.ndarray


@dataclass
class TrainingResult:
    """Where the model went and how it did on the validation set."""

    out: Path
    keras_path: Path
    tflite_path: Path
    manifest_path: Path
    labels: tuple[str, ...]
    train_count: int
    validation_count: int
    validation_accuracy: float
    per_class_accuracy: dict[str, float]
    confusion_matrix: list[list[int]]  # rows: true label, columns: predicted
    imagenet_weights: bool
    history: dict[str, list[float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready form (paths as strings)."""
        data = asdict(self)
        for key in ("out", "keras_path", "tflite_path", "manifest_path"):
            data[key] = str(data[key])
        return data


def _label_index(name: str) -> int | None:
    """Index into LABELS; None for the dropped classes; TrainingError for unknown ones."""
    name = name.strip().lower()
    if name in DROPPED:
        return None
    if name not in LABELS:
        raise TrainingError(f"Unknown class {name!r}; expected one of {LABELS} (or {DROPPED}).")
    return LABELS.index(name)


def _load_fer2013_csv(path: Path, validation_fraction: float, seed: int) -> Dataset:
    images, labels, usages = [], [], []
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"emotion", "pixels"} <= set(reader.fieldnames):
            raise TrainingError(f"{path}: a FER2013 CSV has 'emotion' and 'pixels' columns.")
        for line, row in enumerate(reader, start=2):
            try:
                fer_label = FER2013_LABELS[int(row["emotion"])]
            except (ValueError, IndexError):
                raise TrainingError(f"{path}:{line}: emotion must be 0-6") from None
            index = _label_index(fer_label)
            if index is None:
                continue
            pixels = np.array(row["pixels"].split(), dtype=np.uint8)
            side = int(round(np.sqrt(pixels.size)))
            if side * side != pixels.size or side < 8:
                raise TrainingError(f"{path}:{line}: pixels are not a square image")
            images.append(pixels.reshape(side, side, 1))
            labels.append(index)
            usages.append((row.get("Usage") or "").strip())
    if not images:
        raise TrainingError(f"{path}: no rows with one of the five emotions.")
    if len({im.shape for im in images}) != 1:
        raise TrainingError(f"{path}: images differ in size")
    labels_arr = np.array(labels)
    if any(usages) and "PublicTest" in usages:
        is_validation = np.array([u == "PublicTest" for u in usages])
        keep = np.array([u in ("Training", "PublicTest", "") for u in usages])
        return Dataset(np.stack(images)[keep], labels_arr[keep], is_validation[keep])
    return Dataset(np.stack(images), labels_arr, _split(labels_arr, validation_fraction, seed))


def _load_folder(path: Path, image_size: int, validation_fraction: float, seed: int) -> Dataset:
    images, labels = [], []
    folders = sorted(p for p in path.iterdir() if p.is_dir())
    if not folders:
        raise TrainingError(f"{path}: expected one sub-folder of images per class.")
    for folder in folders:
        index = _label_index(folder.name)
        if index is None:
            logger.info("Skipping %s (not one of the five emotions)", folder.name)
            continue
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            image = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if image is None:
                raise TrainingError(f"{file}: not a readable image")
            image = cv2.resize(image, (image_size, image_size), interpolation=cv2.INTER_AREA)
            images.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            labels.append(index)
    if not images:
        raise TrainingError(f"{path}: no images in folders named after the five emotions.")
    labels_arr = np.array(labels)
    return Dataset(np.stack(images), labels_arr, _split(labels_arr, validation_fraction, seed))


def _split(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Stratified validation mask: ``fraction`` of each class, at least one where possible."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            continue
        count = min(max(1, round(len(members) * fraction)), len(members) - 1)
        mask[rng.choice(members, size=count, replace=False)] = True
    return mask


def load_dataset(
    path: Path, image_size: int = 96, validation_fraction: float = 0.1, seed: int = 0
) -> Dataset:
    """Read a FER2013 CSV or a folder-per-class tree into memory (uint8)."""
    path = Path(path)
    if path.is_dir():
        return _load_folder(path, image_size, validation_fraction, seed)
    if path.is_file() and path.suffix.lower() == ".csv":
        return _load_fer2013_csv(path, validation_fraction, seed)
    raise TrainingError(f"{path}: give a FER2013 .csv file or a folder with one folder per class.")


def class_weights(labels: np.ndarray, num_classes: int = len(LABELS)) -> dict[int, float]:
    """Balanced weights n / (k * count) for the classes present."""
    counts = np.bincount(labels, minlength=num_classes)
    present = counts > 0
    total, k = counts.sum(), present.sum()
    return {i: float(total / (k * counts[i])) for i in range(num_classes) if counts[i]}


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts with true labels on rows and predictions on columns."""
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


def imagenet_weights_path(image_size: int) -> Path | None:
    """MobileNetV2 no-top ImageNet weights in the Keras cache, if already there."""
    if image_size not in IMAGENET_SIZES:
        return None
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    path = (
        home
        / "models"
        / f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{image_size}_no_top.h5"
    )
    return path if path.is_file() else None


def format_report(result: TrainingResult) -> str:
    """Per-class accuracy and the confusion matrix as text."""
    width = max(len(label) for label in result.labels) + 2
    lines = [
        f"Validation accuracy {result.validation_accuracy:.1%} on {result.validation_count} "
        f"images (trained on {result.train_count}; ImageNet weights: "
        f"{'yes' if result.imagenet_weights else 'no'})",
        "Per-class accuracy:",
    ]
    for label in result.labels:
        lines.append(f"  {label:<{width}}{result.per_class_accuracy[label]:.1%}")
    lines.append("Confusion matrix (rows: true, columns: predicted):")
    lines.append(" " * (width + 2) + "".join(f"{label[:8]:>9}" for label in result.labels))
    for label, row in zip(result.labels, result.confusion_matrix, strict=True):
        lines.append(f"  {label:<{width}}" + "".join(f"{v:>9d}" for v in row))
    lines.append(f"Model: {result.manifest_path}")
    return "\n".join(lines)


def train_emotion_model(
    config: TrainingConfig, progress: Callable[[str], None] | None = None
) -> TrainingResult:
    """Train, evaluate and export a five-emotion model (recipe: docs/emotion-engine.md#training)."""
    say = progress or logger.info
    if config.image_size < 32:
        raise TrainingError("image_size must be at least 32 (MobileNetV2's minimum).")
    data = load_dataset(config.data, config.image_size, config.validation_fraction, config.seed)
    train_idx = np.flatnonzero(~data.is_validation)
    val_idx = np.flatnonzero(data.is_validation)
    if len(train_idx) == 0 or len(val_idx) == 0:
        raise TrainingError("Need images for both training and validation (add more per class).")
    say(f"{len(train_idx)} training and {len(val_idx)} validation images, classes {LABELS}")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(config.seed)
    size = config.image_size
    weights_path = imagenet_weights_path(size) if config.weights == "auto" else None
    if weights_path is None and config.weights == "none":
        say("Training MobileNetV2 from random weights (weights=none)")
    elif weights_path is None:
        logger.warning(
            "No MobileNetV2 ImageNet weights for %dx%d in the Keras cache: training from "
            "random weights, which needs far more data and epochs to do well.",
            size,
            size,
        )
        say("WARNING: training MobileNetV2 from scratch (no ImageNet weights in the Keras cache)")

    inputs = keras.Input((size, size, 3), name="face")
    scaled = keras.layers.Rescaling(2.0, offset=-1.0, name="to_mobilenet_range")(inputs)
    backbone = keras.applications.MobileNetV2(
        input_shape=(size, size, 3),
        include_top=False,
        weights=str(weights_path) if weights_path else None,
    )
    backbone.trainable = False
    features = backbone(scaled, training=False)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    pooled = keras.layers.Dropout(0.3)(pooled)
    outputs = keras.layers.Dense(len(LABELS), activation="softmax", name="emotion")(pooled)
    model = keras.Model(inputs, outputs, name="emotion_mobilenetv2")

    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.1),
        ],
        name="augment",
    )

    def to_input(images: tf.Tensor) -> tf.Tensor:
        images = tf.cast(images, tf.float32) / 255.0
        if images.shape[-1] == 1:
            images = tf.image.grayscale_to_rgb(images)
        return tf.image.resize(images, (size, size))

    def pipeline(indices: np.ndarray, training: bool) -> tf.data.Dataset:
        ds = tf.data.Dataset.from_tensor_slices((data.images[indices], data.labels[indices]))
        if training:
            ds = ds.shuffle(len(indices), seed=config.seed, reshuffle_each_iteration=True)
        ds = ds.batch(config.batch_size).map(
            lambda x, y: (to_input(x), y), num_parallel_calls=tf.data.AUTOTUNE
        )
        if training:
            ds = ds.map(lambda x, y: (augment(x, training=True), y))
        return ds.prefetch(tf.data.AUTOTUNE)

    train_ds, val_ds = pipeline(train_idx, True), pipeline(val_idx, False)
    weights = class_weights(data.labels[train_idx])
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoint.keras"

    def callbacks() -> list:
        return [
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.patience, restore_best_weights=True
            ),
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=max(1, config.patience // 2), min_lr=1e-7
            ),
            keras.callbacks.ModelCheckpoint(
                str(checkpoint), monitor="val_loss", save_best_only=True
            ),
        ]

    history: dict[str, list[float]] = {}

    def fit(epochs: int, phase: str) -> None:
        if epochs <= 0:
            return
        say(f"{phase}: {epochs} epoch(s)")
        h = model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=epochs,
            class_weight=weights,
            shuffle=False,  # the dataset shuffles itself
            callbacks=callbacks(),
            verbose=0,
        )
        for key, values in h.history.items():
            history.setdefault(f"{phase}_{key}", []).extend(float(v) for v in values)

    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    fit(config.epochs, "frozen")

    backbone.trainable = True
    names = [layer.name for layer in backbone.layers]
    start = names.index(config.fine_tune_from) if config.fine_tune_from in names else 0
    for i, layer in enumerate(backbone.layers):
        # Batch norm statistics from ImageNet (or phase 1) stay fixed while fine-tuning.
        layer.trainable = i >= start and not isinstance(layer, keras.layers.BatchNormalization)
    model.compile(
        optimizer=keras.optimizers.Adam(config.fine_tune_learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    fit(config.fine_tune_epochs, "fine_tune")
    checkpoint.unlink(missing_ok=True)

    predicted = np.concatenate([model.predict_on_batch(x).argmax(axis=1) for x, _ in val_ds])
    truth = data.labels[val_idx]
    matrix = confusion_matrix(truth, predicted, len(LABELS))
    per_class = {
        label: float(matrix[i, i] / matrix[i].sum()) if matrix[i].sum() else 0.0
        for i, label in enumerate(LABELS)
    }

    keras_path = out / "model.keras"
    model.save(keras_path)
    tflite_path = out / "model.tflite"
    tflite_path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    manifest_path = out / "manifest.json"
    manifest = {
        "name": out.name,
        "description": f"MobileNetV2 {size}x{size} trained by train_emotion_model",
        "file": tflite_path.name,
        "input_size": [size, size],
        "color": "rgb",
        "normalization": "unit",
        "labels": list(LABELS),
        "crop_scale": 1.15,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    result = TrainingResult(
        out=out,
        keras_path=keras_path,
        tflite_path=tflite_path,
        manifest_path=manifest_path,
        labels=LABELS,
        train_count=len(train_idx),
        validation_count=len(val_idx),
        validation_accuracy=float(np.mean(predicted == truth)),
        per_class_accuracy=per_class,
        confusion_matrix=matrix.tolist(),
        imagenet_weights=weights_path is not None,
        history=history,
    )
    (out / "report.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result
