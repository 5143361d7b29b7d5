"""Emotion moments: one session's emotion samples -> the strongest reactions.

Pure module (no Django). The rules are explained in docs/emotion-moments.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from timeline import clip_window

from .vocabulary import EMOTIONS, REACTIONS, RESTING

#: A moment rises at least this much (probability) above the viewer's baseline for its emotion
#: and above the lowest point of its own clip window.
STAND_OUT_MARGIN = 0.15
#: The viewer's resting level of an emotion: this percentile of its per-second series.
BASELINE_PERCENTILE = 25
#: Moments of *different* emotions closer than this are one reaction (the stronger is kept).
CROSS_SEPARATION = 3.0


@dataclass(frozen=True)
class EmotionSample:
    """One analysed webcam frame: video time, class probabilities, attention (0–1)."""

    t: float
    probabilities: dict[str, float]
    attention: float
    face_found: bool


@dataclass
class EmotionMoment:
    """A reaction: ``intensity`` in [0, 1] above the viewer's baseline, ``score`` = intensity ×
    attention."""

    emotion: str
    peak: float
    start: float
    end: float
    intensity: float
    score: float


def _binned(
    samples: Iterable[EmotionSample], duration: float | None, step: float
) -> tuple[int, dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin means over face samples (NaN where none), attention, sample and face counts."""
    if step <= 0:
        raise ValueError("step must be positive")
    kept: list[EmotionSample] = []
    for sample in samples:
        t = float(sample.t)
        if not math.isfinite(t) or t < 0 or (duration is not None and t > duration):
            continue
        kept.append(sample)
    if duration is not None:
        n_bins = max(1, math.ceil(duration / step)) if duration > 0 else 0
    else:
        n_bins = (int(max(s.t for s in kept) // step) + 1) if kept else 0
    if n_bins == 0:
        kept = []
    sums = {e: np.zeros(n_bins) for e in EMOTIONS}
    attention = np.zeros(n_bins)
    faces = np.zeros(n_bins)
    total = np.zeros(n_bins)
    for sample in kept:
        index = min(int(sample.t // step), n_bins - 1)
        total[index] += 1
        if not sample.face_found:
            continue
        values = [float(sample.probabilities.get(e, 0.0)) for e in EMOTIONS]
        if not all(math.isfinite(v) for v in values) or not math.isfinite(sample.attention):
            continue
        faces[index] += 1
        for emotion, value in zip(EMOTIONS, values, strict=True):
            sums[emotion][index] += min(1.0, max(0.0, value))
        attention[index] += min(1.0, max(0.0, float(sample.attention)))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = {e: np.where(faces > 0, sums[e] / faces, np.nan) for e in EMOTIONS}
        attention_mean = np.where(faces > 0, attention / faces, np.nan)
    return n_bins, means, attention_mean, faces, total


def emotion_series(
    samples: Iterable[EmotionSample], *, duration: float | None = None, step: float = 1.0
) -> dict:
    """Per-``step`` series over video time, for charting.

    Returns ``{"step", "t", *EMOTIONS, "attention", "face_ratio"}`` (``EMOTIONS`` from
    ``emotion.vocabulary``): lists of equal length; emotion and attention values are means over the
    samples with a face in that bin and ``None`` where there was none (a gap in the chart);
    ``face_ratio`` is the share of samples with a face (``None`` where no sample at all).
    """
    n_bins, means, attention, faces, total = _binned(samples, duration, step)

    def clean(values: np.ndarray) -> list[float | None]:
        return [None if math.isnan(v) else round(float(v), 4) for v in values]

    series: dict = {"step": step, "t": [round(i * step, 6) for i in range(n_bins)]}
    for emotion in EMOTIONS:
        series[emotion] = clean(means[emotion])
    series["attention"] = clean(attention)
    with np.errstate(invalid="ignore", divide="ignore"):
        series["face_ratio"] = clean(np.where(total > 0, faces / total, np.nan))
    return series


def _smooth(values: np.ndarray, half: int) -> np.ndarray:
    """Centred moving average over ``±half`` bins that skips gaps (NaN) and keeps them."""
    if half <= 0 or values.size == 0:
        return values.copy()
    kernel = np.ones(2 * half + 1)
    present = ~np.isnan(values)
    sums = np.convolve(np.where(present, values, 0.0), kernel, mode="same")
    counts = np.convolve(present.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = sums / counts
    smoothed[~present] = np.nan
    return smoothed


def _local_maxima(values: np.ndarray) -> list[int]:
    """Indices of local maxima (the middle of a plateau), treating NaN as a gap."""
    filled = np.where(np.isnan(values), -np.inf, values)
    peaks: list[int] = []
    i, n = 0, filled.size
    while i < n:
        if filled[i] == -np.inf:
            i += 1
            continue
        j = i
        while j + 1 < n and filled[j + 1] == filled[i]:
            j += 1
        left = filled[i - 1] if i > 0 else -np.inf
        right = filled[j + 1] if j + 1 < n else -np.inf
        if filled[i] > left and filled[i] > right:
            peaks.append((i + j) // 2)
        i = j + 1
    return peaks


def find_emotion_moments(
    samples: Iterable[EmotionSample],
    *,
    duration: float | None,
    top_n: int = 5,
    before: float = 10,
    after: float = 10,
    min_separation: float | None = None,
    cross_separation: float = CROSS_SEPARATION,
    smoothing_seconds: float = 2.0,
    emotions: Sequence[str] = REACTIONS,
    min_score: float = 0.15,
    margin: float = STAND_OUT_MARGIN,
) -> list[EmotionMoment]:
    """The strongest reactions of one session, best first (rules: docs/emotion-moments.md).

    ``min_separation`` is between two moments of the *same* emotion (default ``before +
    after``: two clips of one emotion never overlap); moments of different emotions only need
    ``cross_separation`` seconds. A peak must rise ``margin`` above the viewer's baseline for
    that emotion *and* above the lowest point of its own clip window.
    """
    if RESTING in emotions:
        raise ValueError(f"{RESTING} is the baseline and is never collected as a moment")
    unknown = set(emotions) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"unknown emotions: {sorted(unknown)}")
    if top_n <= 0:
        return []
    same_gap = float(before + after) if min_separation is None else float(min_separation)
    n_bins, means, attention, faces, _ = _binned(samples, duration, 1.0)
    if n_bins == 0 or not faces.any():
        return []
    half_width = max(0, int(round(smoothing_seconds / 2)))
    attention_smooth = _smooth(attention, half_width)
    lo_reach, hi_reach = max(0, int(math.ceil(before))), max(0, int(math.ceil(after)))

    # (score, intensity, peak index, emotion rank in the fixed vocabulary order, emotion)
    candidates: list[tuple[float, float, int, int, str]] = []
    for emotion in sorted(set(emotions), key=EMOTIONS.index):
        raw = means[emotion]
        baseline = float(np.nanpercentile(raw, BASELINE_PERCENTILE))
        headroom = 1.0 - baseline
        if headroom < margin:
            continue  # the face reads this emotion all the time: nothing can stand out
        smoothed = _smooth(raw, half_width)
        intensity = np.clip((smoothed - baseline) / headroom, 0.0, 1.0)
        score = intensity * attention_smooth
        for index in _local_maxima(score):
            value = float(smoothed[index])
            if value - baseline < margin or score[index] < min_score:
                continue
            window = smoothed[max(0, index - lo_reach) : index + hi_reach + 1]
            if value - float(np.nanmin(window)) < margin:
                continue  # inside a long plateau: not a moment that stands out
            candidates.append((
                round(float(score[index]), 9), round(float(intensity[index]), 9), index,
                EMOTIONS.index(emotion), emotion,
            ))
    # Best score, then the stronger intensity, then the earlier peak, then vocabulary order.
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))

    chosen: list[EmotionMoment] = []
    for score_value, intensity_value, index, _, emotion in candidates:
        peak = float(index)
        if any(
            abs(peak - m.peak) < (same_gap if m.emotion == emotion else cross_separation)
            for m in chosen
        ):
            continue
        start, end = clip_window(peak, before, after, duration)
        chosen.append(
            EmotionMoment(
                emotion=emotion,
                peak=peak,
                start=start,
                end=end,
                intensity=round(intensity_value, 4),
                score=round(score_value, 4),
            )
        )
        if len(chosen) == top_n:
            break
    return chosen
