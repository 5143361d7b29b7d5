"""The fake recognizer other apps' tests use."""

from __future__ import annotations

import numpy as np
import pytest

from emotion import EMOTIONS, FakeRecognizer
from emotion.fake import fake_analysis


def test_default_answer_is_well_formed():
    fake = FakeRecognizer(emotion="sad", confidence=0.6, attention=0.3)
    frames = [np.zeros((4, 4, 3), np.uint8)] * 3
    results = fake.analyze(frames)
    assert len(results) == 3 and fake.frames_seen == 3 and fake.batches == [3]
    result = results[0]
    assert result.emotion == "sad" and result.attention == 0.3
    assert set(result.probabilities) == set(EMOTIONS)
    assert sum(result.probabilities.values()) == pytest.approx(1.0)
    assert result.probabilities["sad"] == pytest.approx(0.6)


def test_script_sequence_cycles_and_function_sees_index():
    script = [fake_analysis("happy"), fake_analysis(None)]
    fake = FakeRecognizer(script=script)
    frames = [np.zeros((2, 2, 3), np.uint8)] * 3
    assert [r.face_found for r in fake.analyze(frames)] == [True, False, True]
    assert [r.face_found for r in fake.analyze(frames[:1])] == [False]

    by_index = FakeRecognizer(script=lambda i, frame: fake_analysis(EMOTIONS[i % 5]))
    assert [r.emotion for r in by_index.analyze(frames + frames)] == list(EMOTIONS) + ["happy"]


def test_unknown_emotion_is_refused():
    with pytest.raises(ValueError):
        fake_analysis("joy")


def test_fake_takes_the_same_arguments_as_the_engine():
    from emotion import FaceTrack, ReducedFrame

    seen = []
    fake = FakeRecognizer(script=lambda i, frame: (seen.append(frame.shape), fake_analysis())[1])
    frames = [ReducedFrame(np.zeros((2, 3, 3), np.uint8), 2.0), np.zeros((4, 4, 3), np.uint8)]
    results = fake.analyze(frames, tracks=[FaceTrack(), None], timings={})
    assert len(results) == 2 and seen == [(2, 3, 3), (4, 4, 3)]
    with pytest.raises(ValueError, match="tracks"):
        fake.analyze(frames, tracks=[FaceTrack()])
