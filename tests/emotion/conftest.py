"""Fixtures for the emotion engine's tests: the real model files and one recognizer."""

from __future__ import annotations

import pytest

from emotion.model_files import DEFAULT_MODELS_DIR, ensure_model_files


@pytest.fixture(scope="session")
def models_dir():
    # Fast when the files are present (make test fetched them); fetches them otherwise.
    ensure_model_files(DEFAULT_MODELS_DIR)
    return DEFAULT_MODELS_DIR


@pytest.fixture(scope="session")
def recognizer(models_dir):
    from emotion import EmotionRecognizer

    return EmotionRecognizer(models_dir)
