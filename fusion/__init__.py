"""Fused ranking: candidate moments + per-second signals -> one score and the agreeing signals.

Pure package (no Django). Rules: docs/fusion.md.
"""

from .rank import AGREES_AT, Fused, fuse, series_value
from .signals import SIGNALS, Signal, heatmap_series

__all__ = ["AGREES_AT", "SIGNALS", "Fused", "Signal", "fuse", "heatmap_series", "series_value"]
