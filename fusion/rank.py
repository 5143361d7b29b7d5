"""Fusing signals into one ranking of candidate moments (rules: docs/fusion.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .signals import SIGNALS, Signal

#: A candidate's value in a signal is the signal's maximum within ``peak ± AROUND`` seconds.
AROUND = 2
#: A signal *agrees* with a moment when its normalised value there reaches this.
AGREES_AT = 0.5


@dataclass(frozen=True)
class Fused:
    """One candidate after fusion: ``index`` into the input, the fused ``score`` (0–1), each
    signal's normalised value, and the signals that agree (in ``SIGNALS`` order)."""

    index: int
    score: float
    values: dict[str, float] = field(default_factory=dict)
    agreeing: tuple[str, ...] = ()


def series_value(values: Sequence[float | None], peak: float, around: int = AROUND) -> float | None:
    """The signal's strongest value near ``peak``; ``None`` when it says nothing there."""
    centre = int(math.floor(peak))
    window = [values[i] for i in range(max(0, centre - around), min(len(values),
                                                                     centre + around + 1))]
    present = [float(v) for v in window if v is not None and math.isfinite(v)]
    return max(present) if present else None


def fuse(
    peaks: Sequence[float],
    signals: Sequence[Signal],
    weights: Mapping[str, float],
    *,
    scores: Mapping[str, Sequence[float]] | None = None,
    around: int = AROUND,
    agrees_at: float = AGREES_AT,
) -> list[Fused]:
    """Rank candidates (their peak seconds) by the weighted mean of their normalised signals.

    ``signals`` are per-second series; ``scores`` gives a signal's value per candidate directly
    (the comment ranking's own score). Each signal is divided by its maximum over the video
    (series) or over the candidates (scores), so a signal's scale never matters. A signal with
    nothing to say about the video (all empty, or weight 0) takes no part; a signal silent at
    one candidate counts 0 there. Ties keep the input order, so with a single signal the order
    is exactly that signal's order. Returns every candidate, best first.
    """
    scores = scores or {}
    columns: dict[str, list[float]] = {}
    for name, per_candidate in scores.items():
        if name not in SIGNALS:
            raise ValueError(f"unknown signal {name!r}")
        if len(per_candidate) != len(peaks):
            raise ValueError(f"{name}: one score per candidate expected")
        clean = [float(v) if math.isfinite(v) and v > 0 else 0.0 for v in per_candidate]
        top = max(clean, default=0.0)
        if top > 0 and weights.get(name, 0) > 0:
            columns[name] = [v / top for v in clean]
    for signal in signals:
        scale = signal.scale
        if scale <= 0 or weights.get(signal.name, 0) <= 0 or signal.name in columns:
            continue
        columns[signal.name] = [min(1.0, (series_value(signal.values, p, around) or 0.0) / scale)
                                for p in peaks]
    total = sum(weights[name] for name in columns)
    fused = []
    for i in range(len(peaks)):
        values = {name: round(col[i], 4) for name, col in columns.items()}
        score = (sum(weights[name] * col[i] for name, col in columns.items()) / total
                 if total else 0.0)
        agreeing = tuple(name for name in SIGNALS if values.get(name, 0.0) >= agrees_at)
        fused.append(Fused(index=i, score=round(score, 6), values=values, agreeing=agreeing))
    fused.sort(key=lambda f: (-f.score, f.index))
    return fused
