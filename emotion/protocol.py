"""``Recognizer``: what the live path needs from an emotion recognizer.

``EmotionRecognizer`` (the real engine) and ``FakeRecognizer`` (tests) implement it, and
``analysis.inference``'s worker needs nothing more. Light: imports only typing at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from .frames import FrameAnalysis, ReducedFrame
    from .tracking import FaceTrack


@runtime_checkable
class Recognizer(Protocol):
    """Analyses batches of webcam frames; one ``FrameAnalysis`` per frame, in order.

    ``analyze`` may be called from several threads at once (the inference worker runs a pool)
    and must be safe to.
    """

    def load(self) -> None:
        """Get ready now (load models), rather than on the first ``analyze``."""
        ...

    def analyze(
        self,
        frames: Sequence[np.ndarray | ReducedFrame],
        *,
        tracks: Sequence[FaceTrack | None] | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[FrameAnalysis]:
        """Analyse BGR uint8 frames (or ``ReducedFrame``s) as one batch.

        ``tracks``, when given, has one entry per frame: the viewer's ``FaceTrack`` (or None),
        which the recognizer may use and update to follow a face between frames; a length
        that differs from ``frames`` is a ``ValueError``. ``timings``, when given, accumulates
        seconds per stage. Boxes are in the sender's pixels (a ``ReducedFrame``'s scale
        applied).
        """
        ...


if TYPE_CHECKING:
    from .fake import FakeRecognizer
    from .recognizer import EmotionRecognizer

    def _implementations(real: EmotionRecognizer, fake: FakeRecognizer) -> list[Recognizer]:
        """Never called: has ``mypy emotion`` check that both implement the protocol."""
        return [real, fake]
