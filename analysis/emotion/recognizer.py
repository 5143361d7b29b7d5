"""``EmotionRecognizer``: BGR frames in, ``FrameAnalysis`` out, as one batch.

Pipeline per batch of frames (each stage runs batched through LiteRT):

1. BlazeFace short-range finds faces; the largest one is the viewer.
2. The face mesh (optional, on by default) confirms the face and gives head pose and eye
   openness, from an upright crop (roll removed using the eye keypoints).
3. The manifest's classifier reads an upright crop of the face, in its own size, colour and
   normalisation, and its labels are folded into the five product emotions.

Loading is lazy: nothing is read and LiteRT is not imported until the first ``analyze``. Model
files are loaded once per process and shared between recognizers (``_shared_model``); each
thread runs its own interpreters (see ``analysis.emotion.litert``), so one recognizer can serve
a pool of worker threads without a lock around inference.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .attention import frame_attention
from .classifier import EMOTIONS, EmotionClassifier, Manifest
from .detection import MIN_SCORE, FaceDetector
from .frames import NO_FACE, FrameAnalysis
from .landmarks import FaceMesh, FaceSignals, Roi, roi_from_detection
from .litert import LiteModel
from .model_files import DEFAULT_MANIFEST_PATH, DEFAULT_MODELS_DIR

logger = logging.getLogger(__name__)

DETECTOR_FILE = "mediapipe/face_detection_short_range.tflite"
MESH_FILE = "mediapipe/face_landmark.tflite"

# Process-wide cache of loaded models: what is shared is read-only model bytes plus per-thread
# interpreters, never per-viewer state.
_models_lock = threading.Lock()
_models: dict[tuple[Path, int], LiteModel] = {}
_classifiers: dict[tuple[Path, int], EmotionClassifier] = {}


def _shared_model(path: Path, num_threads: int) -> LiteModel:
    key = (Path(path).resolve(), num_threads)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            if not key[0].is_file():
                raise FileNotFoundError(
                    f"Model file {key[0]} is missing; run `python -m analysis.emotion.model_files`."
                )
            model = _models[key] = LiteModel(key[0], num_threads=num_threads)
        return model


def _shared_classifier(manifest_path: Path, num_threads: int) -> EmotionClassifier:
    key = (Path(manifest_path).resolve(), num_threads)
    with _models_lock:
        classifier = _classifiers.get(key)
    if classifier is None:
        # Built outside the lock: a Keras conversion can take seconds and must not block
        # recognizers that use other models. A race builds twice, harmlessly.
        classifier = EmotionClassifier(Manifest.load(key[0]), num_threads=num_threads)
        with _models_lock:
            classifier = _classifiers.setdefault(key, classifier)
    return classifier


@dataclass
class _Engine:
    detector: FaceDetector
    mesh: FaceMesh | None
    classifier: EmotionClassifier


class EmotionRecognizer:
    """Five emotions and attention for the largest face in each frame.

    ``models_dir`` holds the fetched model files (default: the repository's ``models/``);
    ``manifest`` picks the emotion classifier (default: ``models/fer/manifest.json``).
    ``landmarks=False`` skips the face mesh (faster; attention is then presence only).
    ``num_threads`` is LiteRT's thread count per interpreter.
    """

    def __init__(
        self,
        models_dir: Path | str | None = None,
        manifest: Path | str | None = None,
        *,
        landmarks: bool = True,
        num_threads: int = 1,
        min_face_score: float = MIN_SCORE,
    ) -> None:
        self.models_dir = Path(models_dir) if models_dir else DEFAULT_MODELS_DIR
        self.manifest_path = Path(manifest) if manifest else self.models_dir / DEFAULT_MANIFEST_PATH
        self.landmarks = landmarks
        self.num_threads = num_threads
        self.min_face_score = min_face_score
        self._engine: _Engine | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the models now rather than on the first frame (e.g. at worker start)."""
        self._get_engine()

    @property
    def manifest(self) -> Manifest:
        """The emotion classifier's manifest (loads the engine)."""
        return self._get_engine().classifier.manifest

    def _get_engine(self) -> _Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    detector = FaceDetector(
                        _shared_model(self.models_dir / DETECTOR_FILE, self.num_threads),
                        min_score=self.min_face_score,
                    )
                    mesh = (
                        FaceMesh(_shared_model(self.models_dir / MESH_FILE, self.num_threads))
                        if self.landmarks
                        else None
                    )
                    classifier = _shared_classifier(self.manifest_path, self.num_threads)
                    self._engine = _Engine(detector, mesh, classifier)
                    logger.info(
                        "Emotion engine ready: classifier %s, landmarks %s",
                        classifier.manifest.name,
                        "on" if mesh else "off",
                    )
        return self._engine

    def analyze(
        self, frames: Sequence[np.ndarray], *, timings: dict[str, float] | None = None
    ) -> list[FrameAnalysis]:
        """Analyse BGR uint8 frames (any size) as one batch; one ``FrameAnalysis`` each.

        ``timings``, when given, accumulates seconds spent per stage (``detect``,
        ``landmarks``, ``classify``) for benchmarks and monitoring.
        """
        frames = [_as_bgr(frame) for frame in frames]
        if not frames:
            return []
        engine = self._get_engine()
        clock = _StageClock(timings)
        detections = engine.detector.detect(frames)
        clock.lap("detect")
        # Only the largest face per frame is the viewer; other faces are passers-by.
        with_face = [i for i, faces in enumerate(detections) if faces]
        faces = [detections[i][0] for i in with_face]
        rois = [roi_from_detection(face) for face in faces]
        face_frames = [frames[i] for i in with_face]

        signals: list[FaceSignals | None] = [None] * len(faces)
        if engine.mesh is not None:
            signals = engine.mesh.signals(face_frames, rois)
        clock.lap("landmarks")
        confirmed = [k for k in range(len(faces)) if engine.mesh is None or signals[k] is not None]

        manifest = engine.classifier.manifest
        width, height = manifest.input_size
        crops = np.empty((len(confirmed), height, width, engine.classifier.channels), np.uint8)
        for row, k in enumerate(confirmed):
            crops[row] = _face_crop(face_frames[k], rois[k], manifest, width, height)
        probabilities = engine.classifier.probabilities(crops)
        clock.lap("classify")

        results: list[FrameAnalysis] = [NO_FACE] * len(frames)
        for row, k in enumerate(confirmed):
            face, signal = faces[k], signals[k]
            probs = {
                emotion: float(p) for emotion, p in zip(EMOTIONS, probabilities[row], strict=True)
            }
            x, y, w, h = face.box
            yaw = signal.yaw if signal else None
            pitch = signal.pitch if signal else None
            eyes = signal.eye_openness if signal else None
            results[with_face[k]] = FrameAnalysis(
                face_found=True,
                box=(round(x), round(y), round(w), round(h)),
                probabilities=probs,
                emotion=max(probs, key=probs.__getitem__),
                attention=frame_attention(True, yaw, pitch, eyes),
                face_score=face.score,
                yaw=yaw,
                pitch=pitch,
                eye_openness=eyes,
            )
        return results


class _StageClock:
    """Adds the time since the previous lap to ``timings[stage]``; free when timings is None."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter() if timings is not None else 0.0

    def lap(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


def _as_bgr(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        raise ValueError(f"Frames must be uint8, not {frame.dtype}")
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    raise ValueError(f"Frames must be BGR (h, w, 3), not shape {frame.shape}")


def _face_crop(
    frame: np.ndarray, roi: Roi, manifest: Manifest, width: int, height: int
) -> np.ndarray:
    """The upright face crop the classifier expects, in its colour order, as uint8."""
    shrink = roi.size * manifest.crop_scale / max(width, height)
    # A face several times larger than the crop aliases under bilinear warping: warp at about
    # 1:1 into a k-times larger crop, then box-filter it down by the integer factor k.
    k = int(min(max(np.ceil(shrink - 0.25), 1), 4))
    crop = cv2.warpAffine(
        frame,
        roi.affine(width * k, height * k, scale=manifest.crop_scale),
        (width * k, height * k),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    if manifest.color == "gray":
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    elif manifest.color == "rgb":
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
    if k > 1:
        crop = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)
    return crop.reshape(height, width, -1)
