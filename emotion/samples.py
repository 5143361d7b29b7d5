"""One analysed moment of a watch session, as clients send it: the shape and its checks.

Pure module. The live socket, the REST batch upload and reaction videos all produce
:class:`emotion.moments.EmotionSample`; this is the one place that says what a valid one is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .moments import EmotionSample
from .vocabulary import EMOTIONS

#: A client clock may run a little past the end of the video (seek bar, rounding).
END_SLACK_SECONDS = 5.0


def time_is_valid(t: float, duration: float | None) -> bool:
    """A video time a sample may carry: finite, not negative, not past the end (+ slack)."""
    return math.isfinite(t) and t >= 0 and not (duration and t > duration + END_SLACK_SECONDS)


def validate_sample(raw: Mapping[str, Any], *, duration: float | None) -> EmotionSample:
    """Check one sample sent by a client; raises ValueError with a reason a developer reads."""
    try:
        t = float(raw["t"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("`t` (video time in seconds) is required") from None
    if not time_is_valid(t, duration):
        raise ValueError("`t` is outside the video")
    face = bool(raw.get("face_found", True))
    probabilities: dict[str, float] = {}
    if face:
        probs = raw.get("probabilities") or {}
        if not isinstance(probs, dict) or set(probs) != set(EMOTIONS):
            raise ValueError("`probabilities` must have exactly " + ", ".join(EMOTIONS))
        try:
            values = {k: float(v) for k, v in probs.items()}
        except (TypeError, ValueError):
            raise ValueError("probabilities must be numbers") from None
        if any(not math.isfinite(v) or v < 0 or v > 1 for v in values.values()):
            raise ValueError("probabilities must be between 0 and 1")
        total = sum(values.values())
        if total <= 0:
            raise ValueError("probabilities must not all be zero")
        probabilities = {k: v / total for k, v in values.items()}
    try:
        attention = float(raw.get("attention", 1.0 if face else 0.0))
    except (TypeError, ValueError):
        raise ValueError("`attention` must be a number") from None
    if not math.isfinite(attention) or not 0 <= attention <= 1:
        raise ValueError("`attention` must be between 0 and 1")
    return EmotionSample(t=t, probabilities=probabilities, attention=attention, face_found=face)
