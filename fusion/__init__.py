"""Fused ranking: candidate moments + per-second signals -> one score and the agreeing signals.

Pure package (no Django). Rules: docs/fusion.md.
"""

from .rank import AGREES_AT, Fused, fuse, series_value
from .signals import DEFAULT_WEIGHTS, SIGNALS, Signal, heatmap_series

__all__ = ["AGREES_AT", "DEFAULT_WEIGHTS", "SIGNALS", "Fused", "Signal", "fuse", "heatmap_series", "series_value"]
