"""The emotion engine: webcam frames -> largest face -> five emotions + attention.

Pure Python (no Django). Importing the package is light: the vocabulary and the ``Recognizer``
protocol load at once; everything that needs OpenCV or LiteRT loads on first use of its name
(module ``__getattr__``). How the engine works: docs/emotion-engine.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .protocol import Recognizer
from .vocabulary import EMOTIONS

if TYPE_CHECKING:
    from .attention import AttentionTracker, frame_attention
    from .classifier import Manifest, ManifestError
    from .fake import FakeRecognizer
    from .frames import (
        FrameAnalysis,
        FrameDecodeError,
        ReducedFrame,
        decode_for_analysis,
        decode_jpeg,
    )
    from .recognizer import EmotionRecognizer
    from .tracking import FaceTrack

# Name -> submodule that defines it, imported when the name is first used.
_LAZY: dict[str, str] = {
    "AttentionTracker": "attention",
    "frame_attention": "attention",
    "Manifest": "classifier",
    "ManifestError": "classifier",
    "FakeRecognizer": "fake",
    "FrameAnalysis": "frames",
    "FrameDecodeError": "frames",
    "ReducedFrame": "frames",
    "decode_for_analysis": "frames",
    "decode_jpeg": "frames",
    "EmotionRecognizer": "recognizer",
    "FaceTrack": "tracking",
}

__all__ = [
    "EMOTIONS",
    "AttentionTracker",
    "EmotionRecognizer",
    "FaceTrack",
    "FakeRecognizer",
    "FrameAnalysis",
    "FrameDecodeError",
    "Manifest",
    "ManifestError",
    "Recognizer",
    "ReducedFrame",
    "decode_for_analysis",
    "decode_jpeg",
    "frame_attention",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
