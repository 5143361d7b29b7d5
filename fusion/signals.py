"""The signals the fused ranking knows and how each becomes a per-second series.

Pure module. A signal is a per-second list of non-negative values (``None`` where the signal
says nothing: a second too few viewers watched, a video without a heatmap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The signals, in the order badges name them.
SIGNALS: tuple[str, ...] = ("comments", "heatmap", "captions", "crowd", "own")

#: The weights settings start from (``SHORTORY_FUSION_WEIGHT_<NAME>`` overrides each).
DEFAULT_WEIGHTS: dict[str, float] = {
    "comments": 1.0, "heatmap": 0.5, "captions": 0.5, "crowd": 0.75, "own": 0.5,
}

#: Longest series built here (seconds): bounds work on hostile heatmaps or durations.
MAX_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Signal:
    """One signal of one video: ``values[i]`` is its strength at second ``i``."""

    name: str
    values: Sequence[float | None]

    def __post_init__(self) -> None:
        if self.name not in SIGNALS:
            raise ValueError(f"unknown signal {self.name!r}")

    @property
    def scale(self) -> float:
        """The video's own maximum: values are divided by it, so scale never matters."""
        return max((float(v) for v in self.values
                    if v is not None and math.isfinite(v) and v > 0), default=0.0)


def heatmap_series(heatmap: Sequence[dict] | None, *, duration: float | None) -> list[float | None]:
    """YouTube's "most replayed" segments (``start_time``, ``end_time``, ``value``) -> per
    second. Empty without a heatmap."""
    if not heatmap:
        return []
    ends = [float(seg.get("end_time") or 0) for seg in heatmap if isinstance(seg, dict)]
    span = duration if duration else max(ends, default=0)
    n = min(MAX_SECONDS, max(0, math.ceil(span)))
    out: list[float | None] = [None] * n
    for seg in heatmap:
        if not isinstance(seg, dict):
            continue
        try:
            start, end = float(seg.get("start_time", 0)), float(seg.get("end_time", 0))
            value = float(seg.get("value", 0))
        except (TypeError, ValueError):
            continue
        if not (math.isfinite(start) and math.isfinite(end) and math.isfinite(value)):
            continue
        for i in range(max(0, int(start)), min(n, max(int(start) + 1, math.ceil(end)))):
            out[i] = max(out[i] or 0.0, value)
    return out
