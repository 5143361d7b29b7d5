"""The emotion engine: webcam frames -> largest face -> five emotions + attention.

Pure Python (no Django). LiteRT runs every model; TensorFlow is imported only to convert a
Keras model once (``classifier``) or to train one (``training``).
"""

from .attention import AttentionTracker, frame_attention
from .classifier import EMOTIONS, Manifest, ManifestError
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
    "ReducedFrame",
    "decode_for_analysis",
    "decode_jpeg",
    "frame_attention",
]
