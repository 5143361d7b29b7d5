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


def test_separation_is_per_emotion() -> None:
    bumps = [("happy", 100.0, 2.0, 2.0), ("surprise", 108.0, 1.2, 2.0)]
    samples = session(240, bumps=bumps, seed=3)
    moments = find_emotion_moments(samples, duration=240, min_separation=15)
    assert [(m.emotion, round(m.peak)) for m in moments] == [("happy", 100), ("surprise", 108)]
    same = session(240, bumps=[("happy", 100.0, 2.0, 2.0), ("happy", 108.0, 1.2, 2.0)], seed=3)
    assert [round(m.peak) for m in find_emotion_moments(same, duration=240)] == [100]


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


# --- properties, each over many random synthetic sessions -----------------------------------

SEEDS = range(12)


def plateau_session(
    duration: int,
    segments: list[tuple[str, float, float, float]],
    *,
    seed: int,
    noise: float = 0.03,
    base: dict[str, float] | None = None,
) -> list[EmotionSample]:
    """4 fps; ``segments`` are (emotion, start, end, level): the face holds that expression."""
    rng = np.random.default_rng(seed)
    base = base or {"neutral": 0.85, "happy": 0.04, "sad": 0.04, "angry": 0.03, "surprise": 0.04}
    out = []
    for k in range(duration * FPS):
        t = k / FPS
        probs = dict(base)
        for emotion, start, end, level in segments:
            if start <= t < end:
                probs = {e: (1 - level) * v for e, v in base.items()}
                probs[emotion] += level
        probs = {e: max(0.0, v + rng.normal(0, noise)) for e, v in probs.items()}
        total = sum(probs.values())
        out.append(EmotionSample(t, {e: v / total for e, v in probs.items()}, 0.95, True))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_crying_then_laughing_gives_one_of_each_in_its_part(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    sad_end = float(rng.uniform(7, 11))
    happy_end = sad_end + float(rng.uniform(8, 12))
    samples = plateau_session(
        int(happy_end) + 1, [("sad", 0, sad_end, 0.7), ("happy", sad_end, happy_end, 0.9)],
        seed=seed)
    moments = find_emotion_moments(samples, duration=happy_end)
    by_emotion = {m.emotion: m for m in moments}
    assert sorted(by_emotion) == ["happy", "sad"]
    assert len(moments) == 2
    assert 0 <= by_emotion["sad"].peak <= sad_end
    assert sad_end - 1 <= by_emotion["happy"].peak <= happy_end


@pytest.mark.parametrize("seed", SEEDS)
def test_same_emotion_moments_keep_their_distance(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bumps = [(str(rng.choice(["happy", "sad", "surprise", "angry"])), float(rng.uniform(5, 295)),
              float(rng.uniform(0.5, 2.0)), float(rng.uniform(1, 3))) for _ in range(12)]
    samples = session(300, bumps=bumps, seed=seed)
    for gap in (8.0, 20.0, 40.0):
        moments = find_emotion_moments(samples, duration=300, top_n=20, min_separation=gap)
        for a in moments:
            for b in moments:
                if a is not b and a.emotion == b.emotion:
                    assert abs(a.peak - b.peak) >= gap
                elif a is not b:
                    assert abs(a.peak - b.peak) >= 3.0
    default = find_emotion_moments(samples, duration=300, top_n=20)
    for a in default:  # with the default, two clips of one emotion never overlap
        for b in default:
            if a is not b and a.emotion == b.emotion:
                assert a.end <= b.start or b.end <= a.start


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("emotion", ["happy", "sad", "angry", "surprise"])
def test_a_session_in_one_mood_all_along_has_no_tiling(seed: int, emotion: str) -> None:
    level = 0.3 + 0.06 * seed
    samples = plateau_session(120, [(emotion, 0, 120, level)], seed=seed)
    assert find_emotion_moments(samples, duration=120) == []
    # The same mood with three real bursts: those bursts only.
    bursts = [(emotion, 20.0, 0.8, 1.5), (emotion, 60.0, 0.8, 1.5), (emotion, 100.0, 0.8, 1.5)]
    lifted = session(120, base={emotion: 0.5, "neutral": 0.5}, bumps=bursts, seed=seed)
    peaks = sorted(round(m.peak) for m in find_emotion_moments(lifted, duration=120, top_n=10))
    assert len(peaks) == 3
    assert all(abs(p - c) <= 2 for p, c in zip(peaks, (20, 60, 100), strict=True))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_long_laugh_is_one_moment_not_a_row_of_clips(seed: int) -> None:
    samples = plateau_session(180, [("happy", 40, 130, 0.8)], seed=seed)
    moments = find_emotion_moments(samples, duration=180, top_n=10)
    assert 1 <= len(moments) <= 2
    covered = sum(m.end - m.start for m in moments)
    assert covered <= 40  # 90 s of laughing are not tiled with clips
    assert all(38 <= m.peak <= 132 for m in moments)


@pytest.mark.parametrize("seed", SEEDS)
def test_intensity_is_comparable_across_emotions(seed: int) -> None:
    reactions = ["happy", "sad", "angry", "surprise"]
    found = {}
    for emotion in reactions:
        samples = plateau_session(90, [(emotion, 40, 46, 0.6)], seed=seed)
        (moment,) = find_emotion_moments(samples, duration=90)
        assert moment.emotion == emotion
        found[emotion] = moment.intensity
    assert max(found.values()) - min(found.values()) < 0.08
    # Relabelling the emotions relabels the moments and changes nothing else.
    rng = np.random.default_rng(seed)
    bumps = [(reactions[i % 4], 20.0 + 30 * i, float(rng.uniform(0.5, 2)), 2.0) for i in range(6)]
    samples = session(220, bumps=bumps, seed=seed)
    swap = {"happy": "sad", "sad": "happy", "angry": "surprise", "surprise": "angry"}
    swapped = [EmotionSample(s.t, {swap.get(e, e): v for e, v in s.probabilities.items()},
                             s.attention, s.face_found) for s in samples]
    a = find_emotion_moments(samples, duration=220, top_n=10)
    b = find_emotion_moments(swapped, duration=220, top_n=10)
    assert [(swap[m.emotion], m.peak, m.intensity, m.score) for m in a] == [
        (m.emotion, m.peak, m.intensity, m.score) for m in b]


@pytest.mark.parametrize("seed", SEEDS)
def test_ties_and_input_order_are_deterministic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    samples = session(200, bumps=[("happy", 50.0, 1.5, 2.0), ("sad", 150.0, 1.5, 2.0)], seed=seed)
    shuffled = list(samples)
    rng.shuffle(shuffled)
    assert find_emotion_moments(shuffled, duration=200) == find_emotion_moments(samples,
                                                                                duration=200)
    # Exact ties: the earlier peak first; at the same second the vocabulary order decides.
    twin = [EmotionSample(k / FPS, {"neutral": 0.9, "happy": 0.1, "sad": 0.1}, 1.0, True)
            for k in range(200 * FPS)]
    for index in range(len(twin)):
        t = twin[index].t
        probs = dict(twin[index].probabilities)
        for centre, emotion in ((150, "happy"), (50, "happy"), (150, "sad")):
            if abs(t - centre) < 3:
                probs[emotion] = 0.8
        twin[index] = EmotionSample(t, probs, 1.0, True)
    moments = find_emotion_moments(twin, duration=200)
    assert [(m.emotion, m.peak) for m in moments][:2] == [("happy", 50.0), ("happy", 150.0)]
    assert [m.emotion for m in moments] == ["happy", "happy"]  # sad at 150 is the same reaction
    assert find_emotion_moments(twin, duration=200, cross_separation=0)[2].emotion == "sad"
