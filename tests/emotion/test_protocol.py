"""Both recognizers implement ``Recognizer``; importing the package stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import emotion
from emotion import EmotionRecognizer, FaceTrack, FakeRecognizer, Recognizer, ReducedFrame

ROOT = Path(__file__).resolve().parents[2]


def test_both_recognizers_satisfy_the_protocol():
    # The annotations are what mypy checks (``mypy tests/emotion/test_protocol.py``; ``mypy
    # emotion`` checks the same in ``emotion.protocol``); isinstance checks the methods exist.
    real: Recognizer = EmotionRecognizer()  # loads nothing until the first frame
    fake: Recognizer = FakeRecognizer()
    assert isinstance(real, Recognizer)
    assert isinstance(fake, Recognizer)
    assert not isinstance(object(), Recognizer)


def test_the_fake_answers_through_the_protocol():
    recognizer: Recognizer = FakeRecognizer(emotion="sad")
    recognizer.load()
    frames: list[np.ndarray | ReducedFrame] = [
        np.zeros((4, 4, 3), np.uint8),
        ReducedFrame(np.zeros((2, 2, 3), np.uint8), 2.0),
    ]
    timings: dict[str, float] = {}
    results = recognizer.analyze(frames, tracks=[FaceTrack(), None], timings=timings)
    assert [r.emotion for r in results] == ["sad", "sad"]


def test_the_engine_answers_through_the_protocol(recognizer):
    engine: Recognizer = recognizer
    timings: dict[str, float] = {}
    (result,) = engine.analyze([np.zeros((120, 160, 3), np.uint8)], timings=timings)
    assert not result.face_found and set(timings) == {"detect", "landmarks", "classify"}


@pytest.mark.parametrize(
    "statement",
    [
        "import emotion",
        "import emotion.vocabulary",
        "import emotion.moments",
        "from emotion import EMOTIONS, Recognizer",
    ],
)
def test_importing_the_package_loads_no_heavy_library(statement):
    code = (
        f"{statement}\n"
        "import sys\n"
        "heavy = [m for m in ('cv2', 'ai_edge_litert', 'tensorflow', 'keras') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_lazy_names_resolve_to_their_modules():
    from emotion.frames import decode_for_analysis
    from emotion.recognizer import EmotionRecognizer as Engine

    assert emotion.EmotionRecognizer is Engine
    assert emotion.decode_for_analysis is decode_for_analysis
    assert set(emotion.__all__) <= set(dir(emotion))
    for name in emotion.__all__:
        assert getattr(emotion, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        emotion.no_such_name  # noqa: B018
