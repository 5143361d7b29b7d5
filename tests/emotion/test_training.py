"""Training end to end on a tiny generated dataset, then used by the recognizer at once."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from emotion import EMOTIONS, EmotionRecognizer
from emotion.training import (
    LABELS,
    TrainingConfig,
    TrainingError,
    class_weights,
    confusion_matrix,
    format_report,
    load_dataset,
    train_emotion_model,
)

from .images import astronaut_head, in_frame

# Keras 3 on numpy 2 warns on every tensor conversion; the noise hides real warnings.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")


def pattern(label: int, rng: np.random.Generator, size: int = 48) -> np.ndarray:
    """A grey image whose bright band's position encodes the class."""
    image = rng.integers(0, 60, (size, size), dtype=np.uint8)
    image[label * 6 : label * 6 + 10] = 220
    return image


def write_fer_csv(path, per_class: int = 6, usage: bool = False) -> None:
    rng = np.random.default_rng(0)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["emotion", "pixels", "Usage"] if usage else ["emotion", "pixels"])
        for fer_label in range(7):
            for k in range(per_class):
                pixels = " ".join(map(str, pattern(fer_label, rng).ravel()))
                row = [fer_label, pixels]
                if usage:
                    row.append("PublicTest" if k == 0 else "Training")
                writer.writerow(row)


def test_fer2013_csv_drops_disgust_and_fear(tmp_path):
    write_fer_csv(tmp_path / "fer.csv", per_class=6)
    data = load_dataset(tmp_path / "fer.csv")
    assert data.images.shape == (30, 48, 48, 1)
    # FER2013 0 angry, 3 happy, 4 sad, 5 surprise, 6 neutral -> the five, in LABELS order.
    assert np.bincount(data.labels).tolist() == [6, 6, 6, 6, 6]
    assert data.is_validation.sum() == 5  # one per class (10% rounded up to one)
    # The band of FER2013 "happy" (3) is at rows 18-27.
    happy = data.images[data.labels == LABELS.index("happy")][0, :, :, 0]
    assert happy[18:28].mean() == 220


def test_fer2013_usage_column_gives_the_validation_split(tmp_path):
    write_fer_csv(tmp_path / "fer.csv", per_class=4, usage=True)
    data = load_dataset(tmp_path / "fer.csv")
    assert data.is_validation.sum() == 5 and len(data.labels) == 20


def test_folder_per_class_and_errors(tmp_path):
    rng = np.random.default_rng(1)
    for name in ("happy", "sad", "fear"):
        (tmp_path / name).mkdir()
        for k in range(3):
            cv2.imwrite(str(tmp_path / name / f"{k}.png"), pattern(k, rng))
    data = load_dataset(tmp_path, image_size=40)
    assert data.images.shape == (6, 40, 40, 3)  # fear skipped
    assert sorted(set(data.labels.tolist())) == [LABELS.index("happy"), LABELS.index("sad")]
    (tmp_path / "contempt").mkdir()
    with pytest.raises(TrainingError, match="contempt"):
        load_dataset(tmp_path)
    with pytest.raises(TrainingError, match="csv"):
        load_dataset(tmp_path / "nothing.txt")


def test_class_weights_and_confusion_matrix():
    labels = np.array([0, 0, 0, 1, 4])
    weights = class_weights(labels)
    assert weights == pytest.approx({0: 5 / 9, 1: 5 / 3, 4: 5 / 3})
    matrix = confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 3)
    assert matrix.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 0]]


@pytest.mark.slow
def test_train_export_and_use(tmp_path, models_dir):
    write_fer_csv(tmp_path / "fer.csv", per_class=6)
    out = tmp_path / "mine"
    messages: list[str] = []
    result = train_emotion_model(
        TrainingConfig(
            data=tmp_path / "fer.csv",
            out=out,
            image_size=32,
            epochs=2,
            fine_tune_epochs=1,
            batch_size=8,
            weights="none",
        ),
        progress=messages.append,
    )
    assert result.keras_path.is_file() and result.tflite_path.is_file()
    assert any("random weights" in m for m in messages)
    assert result.train_count == 25 and result.validation_count == 5
    matrix = np.array(result.confusion_matrix)
    assert matrix.shape == (5, 5) and matrix.sum() == 5
    assert result.validation_accuracy == pytest.approx(np.trace(matrix) / 5)
    assert set(result.per_class_accuracy) == set(LABELS)
    assert "Confusion matrix" in format_report(result)
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["labels"] == list(LABELS) and manifest["input_size"] == [32, 32]
    assert json.loads((out / "report.json").read_text())["validation_count"] == 5

    recognizer = EmotionRecognizer(models_dir, manifest=result.manifest_path)
    (analysis,) = recognizer.analyze([in_frame(astronaut_head())])
    assert analysis.face_found and set(analysis.probabilities) == set(EMOTIONS)
    assert sum(analysis.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.slow
def test_manage_py_command_trains_a_model_the_recognizer_uses(tmp_path, models_dir):
    """The documented command line, end to end: `manage.py train_emotion_model`."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DEBUG": "1", "SHORTORY_ENV_FILE": os.devnull,
           "DJANGO_SETTINGS_MODULE": "shortory.settings"}
    write_fer_csv(tmp_path / "fer.csv", per_class=6)
    out = tmp_path / "cli-model"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "train_emotion_model", "--data", str(tmp_path / "fer.csv"),
         "--out", str(out), "--epochs", "1", "--fine-tune-epochs", "1", "--image-size", "32",
         "--batch-size", "8", "--weights", "none"],
        cwd=root, capture_output=True, text=True, timeout=600, env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Confusion matrix" in result.stdout
    for name in ("model.keras", "model.tflite", "manifest.json"):
        assert (out / name).is_file(), name
    recognizer = EmotionRecognizer(models_dir, manifest=out / "manifest.json")
    (analysis,) = recognizer.analyze([in_frame(astronaut_head())])
    assert analysis.face_found and set(analysis.probabilities) == set(EMOTIONS)
    bad = subprocess.run(
        [sys.executable, "manage.py", "train_emotion_model", "--data", str(tmp_path / "none.csv"),
         "--out", str(out)], cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert bad.returncode != 0
    assert "none.csv" in bad.stderr and "Traceback" not in bad.stderr  # a clear message
