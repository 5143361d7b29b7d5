"""Properties of emotion moments on synthetic sample series."""

from __future__ import annotations

import numpy as np
import pytest

from emotion.moments import EmotionSample, emotion_series, find_emotion_moments
from emotion.vocabulary import EMOTIONS

FPS = 4


def session(
    duration: float,
    *,
    base: dict[str, float] | None = None,
    bumps: list[tuple[str, float, float, float]] = (),
    attention: float = 0.9,
    low_attention: list[tuple[float, float, float]] = (),
    no_face: list[tuple[float, float]] = (),
    noise: float = 0.02,
    seed: int = 0,
) -> list[EmotionSample]:
    """Samples at 4 fps; bumps are (emotion, centre, height, sigma) Gaussians."""
    rng = np.random.default_rng(seed)
    base = base or {"neutral": 0.8, "happy": 0.05, "sad": 0.05, "angry": 0.05, "surprise": 0.05}
    samples = []
    for k in range(int(duration * FPS)):
        t = k / FPS
        probs = {e: base.get(e, 0.0) for e in EMOTIONS}
        for emotion, centre, height, sigma in bumps:
            probs[emotion] += height * np.exp(-((t - centre) ** 2) / (2 * sigma**2))
        for e in EMOTIONS:
            probs[e] = max(0.0, probs[e] + rng.normal(0, noise))
        total = sum(probs.values())
        probs = {e: v / total for e, v in probs.items()}
        att = attention
        for start, end, value in low_attention:
            if start <= t <= end:
                att = value
        face = not any(start <= t <= end for start, end in no_face)
        samples.append(EmotionSample(t, probs if face else {}, att if face else 0.0, face))
    return samples


def test_happy_bump_found_at_the_right_time() -> None:
    samples = session(180, bumps=[("happy", 73.0, 2.0, 2.5)])
    moments = find_emotion_moments(samples, duration=180)
    assert len(moments) == 1
    (moment,) = moments
    assert moment.emotion == "happy"
    assert abs(moment.peak - 73) <= 1
    assert (moment.start, moment.end) == (moment.peak - 10, moment.peak + 10)
    assert 0.5 < moment.intensity <= 1.0
    assert moment.score == pytest.approx(moment.intensity * 0.9, abs=0.05)


def test_resting_sad_face_is_the_baseline_not_a_moment() -> None:
    resting_sad = {"neutral": 0.3, "sad": 0.6, "happy": 0.04, "angry": 0.03, "surprise": 0.03}
    samples = session(300, base=resting_sad, bumps=[("happy", 200.0, 1.5, 3.0)], seed=1)
    series = emotion_series(samples, duration=300)
    assert np.nanmean([v for v in series["sad"] if v is not None]) > 0.4  # it does read "sad"
    moments = find_emotion_moments(samples, duration=300)
    assert [m.emotion for m in moments] == ["happy"]
    assert abs(moments[0].peak - 200) <= 1


def test_low_attention_suppresses_a_peak() -> None:
    bumps = [("surprise", 60.0, 1.5, 2.0), ("surprise", 150.0, 1.5, 2.0)]
    samples = session(240, bumps=bumps, low_attention=[(130, 170, 0.1)], seed=2)
    moments = find_emotion_moments(samples, duration=240)
    assert [round(m.peak) for m in moments] == [60]
    attentive = find_emotion_moments(session(240, bumps=bumps, seed=2), duration=240)
    assert sorted(round(m.peak) for m in attentive) == [60, 150]


def test_min_separation_across_emotions() -> None:
    bumps = [("happy", 100.0, 2.0, 2.0), ("surprise", 108.0, 1.2, 2.0)]
    samples = session(240, bumps=bumps, seed=3)
    close = find_emotion_moments(samples, duration=240, min_separation=15)
    assert [(m.emotion, round(m.peak)) for m in close] == [("happy", 100)]
    loose = find_emotion_moments(samples, duration=240, min_separation=5)
    assert [(m.emotion, round(m.peak)) for m in loose] == [("happy", 100), ("surprise", 108)]


def test_top_n_order_and_clamping() -> None:
    bumps = [
        ("happy", 4.0, 2.0, 2.0),
        ("angry", 60.0, 1.0, 2.0),
        ("sad", 120.0, 1.5, 2.0),
        ("surprise", 236.0, 0.6, 2.0),
    ]
    samples = session(240, bumps=bumps, seed=4)
    moments = find_emotion_moments(samples, duration=240, top_n=3)
    assert [m.emotion for m in moments] == ["happy", "sad", "angry"]
    assert [m.score for m in moments] == sorted((m.score for m in moments), reverse=True)
    assert moments[0].start == 0.0
    everything = find_emotion_moments(samples, duration=240, top_n=10)
    last = next(m for m in everything if m.emotion == "surprise")
    assert last.end == 240.0
    assert all(0.0 <= m.intensity <= 1.0 for m in everything)


def test_no_face_means_no_moments() -> None:
    samples = session(120, bumps=[("happy", 60.0, 2.0, 2.0)], no_face=[(0, 120)])
    assert find_emotion_moments(samples, duration=120) == []
    assert find_emotion_moments([], duration=120) == []
    series = emotion_series(samples, duration=120)
    assert all(v is None for v in series["happy"])
    assert all(v is None for v in series["attention"])


def test_a_peak_inside_a_face_gap_is_not_a_moment() -> None:
    samples = session(200, bumps=[("happy", 100.0, 2.0, 2.0)], no_face=[(90, 110)], seed=5)
    assert find_emotion_moments(samples, duration=200) == []


def test_neutral_is_never_collected() -> None:
    samples = session(120, bumps=[("neutral", 60.0, 3.0, 2.0)])
    assert find_emotion_moments(samples, duration=120) == []
    with pytest.raises(ValueError):
        find_emotion_moments(samples, duration=120, emotions=("happy", "neutral"))


def test_emotion_series_shape_means_and_gaps() -> None:
    samples = [
        EmotionSample(0.1, {"happy": 0.2, "neutral": 0.8}, 1.0, True),
        EmotionSample(0.6, {"happy": 0.4, "neutral": 0.6}, 0.5, True),
        EmotionSample(1.2, {}, 0.0, False),
        EmotionSample(3.9, {"sad": 1.0}, 0.25, True),
    ]
    series = emotion_series(samples, duration=5)
    assert series["t"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert series["happy"] == [pytest.approx(0.3), None, None, 0.0, None]
    assert series["sad"] == [0.0, None, None, 1.0, None]
    assert series["attention"] == [pytest.approx(0.75), None, None, 0.25, None]
    assert series["face_ratio"] == [1.0, 0.0, None, 1.0, None]
    halves = emotion_series(samples, duration=5, step=0.5)
    assert len(halves["t"]) == 10
    assert halves["happy"][:2] == [0.2, 0.4]
    assert emotion_series(samples)["t"] == [0.0, 1.0, 2.0, 3.0]
