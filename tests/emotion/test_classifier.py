"""Manifests: validation, label folding, and Keras models converted once and used."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emotion import EMOTIONS, EmotionRecognizer, Manifest, ManifestError
from emotion.classifier import converted_path

from .images import astronaut_head, in_frame

# Keras 3 on numpy 2 warns on every tensor conversion; the noise hides real warnings.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

SEED_LABELS = ["angry", "happy", "neutral", "sad", "surprise"]


def write_manifest(folder, **fields) -> object:
    (folder / "model.tflite").write_bytes(b"placeholder")
    data = {
        "file": "model.tflite",
        "input_size": 64,
        "color": "gray",
        "normalization": "symmetric",
        "labels": SEED_LABELS,
    }
    data.update(fields)
    path = folder / "manifest.json"
    path.write_text(json.dumps(data))
    return path


def test_manifest_defaults_and_square_size(tmp_path):
    manifest = Manifest.load(write_manifest(tmp_path))
    assert manifest.input_size == (64, 64)
    assert manifest.labels == tuple(SEED_LABELS)
    assert manifest.file == (tmp_path / "model.tflite").resolve()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"color": "cmyk"}, "color"),
        ({"normalization": "imagenet"}, "normalization"),
        ({"input_size": [0, 64]}, "input_size"),
        ({"labels": ["happy", "contempt"]}, "contempt"),
        ({"label_map": {"happy": "joy"}}, "joy"),
        ({"file": "missing.tflite"}, "does not exist"),
    ],
)
def test_manifest_errors_say_what_is_wrong(tmp_path, fields, message):
    with pytest.raises(ManifestError, match=message):
        Manifest.load(write_manifest(tmp_path, **fields))


def test_manifest_not_json(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{nope")
    with pytest.raises(ManifestError, match="JSON"):
        Manifest.load(path)


def test_fer_mapping_drops_disgust_and_fear(models_dir):
    manifest = Manifest.load(models_dir / "fer/manifest.json")
    matrix = manifest.mapping_matrix()
    fer = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    assert manifest.labels == fer
    assert matrix[fer.index("disgust")].sum() == 0 and matrix[fer.index("fear")].sum() == 0
    for label in ("angry", "happy", "sad", "surprise", "neutral"):
        assert matrix[fer.index(label), EMOTIONS.index(label)] == 1.0


def test_label_map_folds_probability(tmp_path):
    manifest = Manifest.load(
        write_manifest(
            tmp_path,
            labels=["happy", "fear", "contempt", "neutral"],
            label_map={"fear": "surprise", "contempt": None},
        )
    )
    probs = np.array([[0.4, 0.3, 0.2, 0.1]]) @ manifest.mapping_matrix()
    assert dict(zip(EMOTIONS, probs[0], strict=True)) == pytest.approx(
        {"happy": 0.4, "sad": 0.0, "angry": 0.0, "neutral": 0.1, "surprise": 0.3}
    )


@pytest.mark.slow
def test_seed_format_h5_loads_through_a_manifest(tmp_path, models_dir):
    """A MobileNetV2-style 96x96x3 Keras .h5 with the seed's labels drops into models/."""
    import keras

    keras.utils.set_random_seed(1)
    backbone = keras.applications.MobileNetV2(
        input_shape=(96, 96, 3), include_top=False, weights=None, alpha=0.35
    )
    model = keras.Sequential(
        [
            keras.Input((96, 96, 3)),
            backbone,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    folder = tmp_path / "tl2"
    folder.mkdir()
    model.save(folder / "emotion_tl2_model.h5")
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "name": "seed",
                "file": "emotion_tl2_model.h5",
                "input_size": [96, 96],
                "color": "rgb",
                "normalization": "unit",
                "labels": SEED_LABELS,
            }
        )
    )
    recognizer = EmotionRecognizer(models_dir, manifest=folder / "manifest.json")
    frame = in_frame(astronaut_head())
    (result,) = recognizer.analyze([frame])
    assert recognizer.manifest.name == "seed"
    assert result.face_found and set(result.probabilities) == set(EMOTIONS)
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)

    # The conversion is cached next to the .h5, keyed by its content.
    cached = converted_path(folder / "emotion_tl2_model.h5")
    assert cached.is_file()

    # LiteRT gives what Keras gives on the same crop.
    from emotion.recognizer import _shared_classifier

    classifier = _shared_classifier(folder / "manifest.json", 1)
    roi_crop = _crop_for(recognizer, frame)
    keras_probs = model.predict(roi_crop[None].astype("float32") / 255.0, verbose=0)[0]
    lite = classifier.raw_probabilities(roi_crop[None])[0]
    np.testing.assert_allclose(lite, keras_probs, atol=1e-4)
    # Keras' order is the seed's label order; the product's is EMOTIONS.
    for i, label in enumerate(SEED_LABELS):
        assert result.probabilities[label] == pytest.approx(float(keras_probs[i]), abs=1e-4)


def _crop_for(recognizer, frame):
    """The crop the recognizer feeds its classifier: cut from the face mesh's upright crop."""
    from emotion.landmarks import roi_from_detection
    from emotion.recognizer import _crop_from_mesh, _square_in_mesh_crop

    engine = recognizer._get_engine()
    (face, *_) = engine.detector.detect([frame])[0]
    roi = roi_from_detection(face)
    manifest = recognizer.manifest
    width, height = manifest.input_size
    square = _square_in_mesh_crop(roi, roi, manifest, width, height)
    assert square is not None  # a 96x96 input fits in the mesh crop's ~147-pixel centre
    mesh_crop = engine.mesh.run([frame], [roi]).crops[0]
    return _crop_from_mesh(mesh_crop, square, manifest, width, height)
