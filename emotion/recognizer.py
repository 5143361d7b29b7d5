"""``EmotionRecognizer``: BGR frames in, ``FrameAnalysis`` out, as one batch.

Detector (or the viewer's ``FaceTrack``), face mesh, then the manifest's classifier, each stage
batched through LiteRT; models load lazily and are shared per process. The pipeline and its
measured costs: docs/emotion-engine.md#the-recognizer.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .attention import frame_attention
from .classifier import EmotionClassifier, Manifest
from .detection import MIN_SCORE, Detection, FaceDetector
from .frames import NO_FACE, FrameAnalysis, ReducedFrame
from .landmarks import (
    MESH_INPUT,
    ROI_SCALE,
    EyeLids,
    FaceMesh,
    FaceSignals,
    Roi,
    roi_from_detection,
)
from .litert import LiteModel
from .model_files import DEFAULT_MANIFEST_PATH, DEFAULT_MODELS_DIR
from .tracking import FacePose, FaceTrack, RoiCalibration, pose_in_frame
from .vocabulary import EMOTIONS

logger = logging.getLogger(__name__)

DETECTOR_FILE = "mediapipe/face_detection_short_range.tflite"
MESH_FILE = "mediapipe/face_landmark.tflite"
IRIS_FILE = "mediapipe/iris_landmark.tflite"

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
                    f"Model file {key[0]} is missing; run `python -m emotion.model_files`."
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
    ``num_threads`` is LiteRT's thread count per interpreter. Implements ``Recognizer``: one
    recognizer serves a pool of threads, each with its own interpreters, without a lock.
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
                        FaceMesh(
                            _shared_model(self.models_dir / MESH_FILE, self.num_threads),
                            eyes=EyeLids(
                                _shared_model(self.models_dir / IRIS_FILE, self.num_threads)
                            ),
                        )
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
        self,
        frames: Sequence[np.ndarray | ReducedFrame],
        *,
        tracks: Sequence[FaceTrack | None] | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[FrameAnalysis]:
        """Analyse BGR uint8 frames (any size) as one batch; one ``FrameAnalysis`` each.

        A ``ReducedFrame`` (from ``decode_for_analysis``) is analysed at its reduced size and
        its box reported in the sender's pixels. ``tracks``, one per frame (None for a frame
        without one), are the viewers' ``FaceTrack``s: a tracked frame reuses the previous
        frame's face region instead of running the detector (ignored when ``landmarks`` is
        off, since the mesh is what tracks). ``timings``, when given, accumulates seconds spent
        per stage (``detect``, ``landmarks``, ``classify``) for benchmarks and monitoring.
        """
        images: list[np.ndarray] = []
        scales: list[float] = []
        for frame in frames:
            if isinstance(frame, ReducedFrame):
                images.append(_as_bgr(frame.image))
                scales.append(frame.scale)
            else:
                images.append(_as_bgr(frame))
                scales.append(1.0)
        if tracks is not None and len(tracks) != len(images):
            raise ValueError(f"{len(tracks)} tracks for {len(images)} frames")
        if not images:
            return []
        engine = self._get_engine()
        clock = _StageClock(timings)
        n = len(images)
        frame_tracks: list[FaceTrack | None] = (
            list(tracks) if tracks is not None and engine.mesh is not None else [None] * n
        )
        shapes = [image.shape[:2] for image in images]
        faces: list[_Face | None] = [None] * n
        for i, track in enumerate(frame_tracks):
            prediction = track.prediction(shapes[i]) if track is not None else None
            if prediction is not None:
                faces[i] = _Face(
                    roi=prediction[0],
                    calibration=prediction[1],
                    known_eyes=track.known_eyes() if track is not None else None,
                )
        self._detect(engine, images, faces, [i for i in range(n) if faces[i] is None])
        clock.lap("detect")

        mesh = engine.mesh
        if mesh is not None:
            lost = self._mesh(mesh, images, faces, frame_tracks)
            clock.lap("landmarks")
            if lost:
                # The face moved out of the region it was followed to: find it afresh.
                self._detect(engine, images, faces, lost)
                clock.lap("detect")
                self._mesh(mesh, images, faces, frame_tracks, only=lost)
                clock.lap("landmarks")
            for i, track in enumerate(frame_tracks):
                if track is not None:
                    face = faces[i]
                    # A tracked viewer's confirmed face always has a pose (``_mesh``).
                    if face is None or face.signals is None or face.pose is None:
                        track.lost()
                    elif face.tracked:
                        track.tracked(
                            face.box_roi,
                            shapes[i],
                            eyes=face.signals.eye_openness,
                            measured=face.known_eyes is None,
                        )
                    else:
                        track.detected(
                            face.roi, face.pose, shapes[i], eyes=face.signals.eye_openness
                        )
        else:
            clock.lap("landmarks")

        confirmed = [
            (i, face)
            for i, face in enumerate(faces)
            if face is not None and (mesh is None or face.signals is not None)
        ]
        manifest = engine.classifier.manifest
        width, height = manifest.input_size
        crops = np.empty((len(confirmed), height, width, engine.classifier.channels), np.uint8)
        for row, (i, face) in enumerate(confirmed):
            crops[row] = _classifier_crop(images[i], face, manifest, width, height)
        probabilities = engine.classifier.probabilities(crops)
        clock.lap("classify")

        results: list[FrameAnalysis] = [NO_FACE] * n
        for row, (i, face) in enumerate(confirmed):
            signal, scale = face.signals, scales[i]
            probs = {
                emotion: float(p) for emotion, p in zip(EMOTIONS, probabilities[row], strict=True)
            }
            x, y, w, h = face.box
            yaw = signal.yaw if signal else None
            pitch = signal.pitch if signal else None
            eyes = signal.eye_openness if signal else None
            results[i] = FrameAnalysis(
                face_found=True,
                box=(round(x * scale), round(y * scale), round(w * scale), round(h * scale)),
                probabilities=probs,
                emotion=max(probs, key=probs.__getitem__),
                attention=frame_attention(True, yaw, pitch, eyes),
                face_score=face.score,
                yaw=yaw,
                pitch=pitch,
                eye_openness=eyes,
            )
        return results

    @staticmethod
    def _detect(
        engine: _Engine, images: list[np.ndarray], faces: list[_Face | None], indices: list[int]
    ) -> None:
        """Run the detector on ``images[indices]``; the largest face becomes ``faces[i]``."""
        detections = engine.detector.detect([images[i] for i in indices])
        for i, found in zip(indices, detections, strict=True):
            # Only the largest face per frame is the viewer; other faces are passers-by.
            faces[i] = (
                _Face(roi=roi_from_detection(found[0]), detection=found[0]) if found else None
            )

    @staticmethod
    def _mesh(
        mesh: FaceMesh,
        images: list[np.ndarray],
        faces: list[_Face | None],
        tracks: list[FaceTrack | None],
        only: list[int] | None = None,
    ) -> list[int]:
        """Run the mesh on the located faces; return tracked frames where it lost the face."""
        candidates = only if only is not None else range(len(faces))
        located = [(i, face) for i in candidates if (face := faces[i]) is not None]
        found = mesh.run(
            [images[i] for i, _ in located],
            [face.roi for _, face in located],
            known_eyes=[face.known_eyes for _, face in located],
        )
        lost = []
        for k, (i, face) in enumerate(located):
            face.signals, face.mesh_crop = found.signals[k], found.crops[k]
            if face.signals is None:
                if face.tracked:
                    lost.append(i)
                    faces[i] = None
                continue
            if tracks[i] is None:
                continue
            face.pose = pose_in_frame(found.points[k], face.roi)
            if face.calibration is not None:  # a tracked frame
                # Re-centre on where the face is in this frame (the region came from the last).
                face.box_roi = face.calibration.roi(face.pose)
                if _moved_too_far(face.roi, face.box_roi):
                    lost.append(i)
                    faces[i] = None
        return lost


@dataclass(eq=False)
class _Face:
    """One frame's viewer while the batch is analysed.

    ``roi`` is where the mesh looked: the detector's square, or on a tracked frame the square
    predicted from the previous frame. ``box_roi`` is the square that best fits this frame
    (the detector's, or the prediction re-centred on this frame's mesh); the box reported and
    the classifier's crop come from it.
    """

    roi: Roi
    detection: Detection | None = None
    calibration: RoiCalibration | None = None  # the track's, on a tracked frame
    signals: FaceSignals | None = None
    mesh_crop: np.ndarray | None = None
    pose: FacePose | None = None
    known_eyes: float | None = None  # the track's recent eye openness, reused on this frame
    box_roi: Roi = field(init=False)

    def __post_init__(self) -> None:
        self.box_roi = self.roi

    @property
    def tracked(self) -> bool:
        """Whether the region came from the viewer's track rather than the detector."""
        return self.calibration is not None

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) in analysed-image pixels."""
        if self.detection is not None:
            return self.detection.box
        r = self.box_roi
        return (r.cx - r.size / 2, r.cy - r.size / 2, r.size, r.size)

    @property
    def score(self) -> float:
        """The detector's score; on a tracked frame, the mesh's face-presence score."""
        if self.detection is not None:
            return self.detection.score
        return self.signals.mesh_score if self.signals else 0.0


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


# The face mesh's signals drift once its region is off the face: measured on the test photos,
# a region off by 5-10 % of the face's size moves yaw by up to 2 and pitch by up to 4 degrees
# (the detector's own frame-to-frame jitter does as much), and by 15 % the eye openness is
# unreliable. A tracked face that moved further than this since the last frame is found
# afresh by the detector instead.
MAX_TRACKED_SHIFT = 0.1
MAX_TRACKED_ROLL = math.radians(10.0)


def _moved_too_far(predicted: Roi, found: Roi) -> bool:
    """Whether a face moved too far from its predicted region for the mesh to be trusted."""
    shift = math.hypot(found.cx - predicted.cx, found.cy - predicted.cy)
    return (
        shift > MAX_TRACKED_SHIFT * predicted.size
        or abs(found.size / predicted.size - 1.0) > MAX_TRACKED_SHIFT
        or abs(math.remainder(found.angle - predicted.angle, math.tau)) > MAX_TRACKED_ROLL
    )


# A tracked face's square may be cut from the mesh crop without rotating it when its roll
# differs from the crop's by at most this much: the classifier does not notice a few degrees.
MAX_UNROTATED_ROLL = math.radians(4.0)


def _classifier_crop(
    image: np.ndarray, face: _Face, manifest: Manifest, width: int, height: int
) -> np.ndarray:
    """The classifier's input for a face, cut from the mesh crop where possible."""
    if face.mesh_crop is not None:
        square = _square_in_mesh_crop(face.roi, face.box_roi, manifest, width, height)
        if square is not None:
            return _crop_from_mesh(face.mesh_crop, square, manifest, width, height)
    return _face_crop(image, face.box_roi, manifest, width, height)


def _square_in_mesh_crop(
    used: Roi, target: Roi, manifest: Manifest, width: int, height: int
) -> tuple[int, int, int, int] | None:
    """Where ``target``'s classifier square lies in the mesh crop of ``used``, in whole pixels.

    Returns (x0, y0, x1, y1), or None where cutting it out would need rotating, reach outside
    the crop, or upsample (then the frame is warped instead). Rounding to whole pixels moves
    the square's edges by at most half a pixel in ~150, well under the detector's own jitter.
    """
    if abs(math.remainder(target.angle - used.angle, math.tau)) > MAX_UNROTATED_ROLL:
        return None
    matrix = used.affine(MESH_INPUT, scale=ROI_SCALE)
    u = matrix[0, 0] * target.cx + matrix[0, 1] * target.cy + matrix[0, 2]
    v = matrix[1, 0] * target.cx + matrix[1, 1] * target.cy + matrix[1, 2]
    half = target.size * manifest.crop_scale * MESH_INPUT / (used.size * ROI_SCALE) / 2
    x0, y0, x1, y1 = round(u - half), round(v - half), round(u + half), round(v + half)
    if x0 < 0 or y0 < 0 or x1 > MESH_INPUT or y1 > MESH_INPUT:
        return None
    if min(x1 - x0, y1 - y0) < max(width, height):
        return None
    return x0, y0, x1, y1


def _crop_from_mesh(
    mesh_crop: np.ndarray,
    square: tuple[int, int, int, int],
    manifest: Manifest,
    width: int,
    height: int,
) -> np.ndarray:
    """The classifier's face crop, cut from the upright BGR crop the face mesh read.

    Both are squares around the face at different enlargements (the classifier's is the centre
    of the mesh's, or near it on a tracked frame), so cutting it out and area-averaging it down
    saves a second warp of the frame (about 0.1 ms a face) and gives anti-aliased pixels.
    """
    x0, y0, x1, y1 = square
    cut = mesh_crop[y0:y1, x0:x1]
    if manifest.color == "gray":
        cut = cv2.cvtColor(cut, cv2.COLOR_BGR2GRAY)
    elif manifest.color == "rgb":
        cut = cv2.cvtColor(cut, cv2.COLOR_BGR2RGB)
    crop = cv2.resize(cut, (width, height), interpolation=cv2.INTER_AREA)
    return crop.reshape(height, width, -1)
