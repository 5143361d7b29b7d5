"""Following one viewer's face from frame to frame, so most frames skip the face detector.

``FaceTrack`` (one per viewer, owned by the caller) remembers where the face mesh last saw the
face, calibrated against the detector's square, so the next frame can look there. The method
and its measured accuracy: docs/emotion-engine.md#tracking.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np

from .landmarks import MESH_INPUT, ROI_SCALE, Roi

logger = logging.getLogger(__name__)

# Face-mesh indices of the outer eye corners (subject's right, left): the roll axis.
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
DEFAULT_REDETECT_EVERY = 8
# The iris model measures the eyes on every second frame of a followed face; the frame between
# reuses the last reading. At 4 frames/s that is 2 readings a second: enough for what attention
# reads from the eyes (closure sustained over seconds, squeezing during a strong emotion), and
# it takes about a third of the engine's per-frame cost off (docs/live-performance.md).
DEFAULT_EYES_EVERY = 2


@dataclass(frozen=True)
class FacePose:
    """The face as the mesh sees it, in frame pixels: the centre and side of the square that
    holds every mesh point once the face is turned upright, and the roll (radians) of the
    line between the outer eye corners."""

    cx: float
    cy: float
    size: float
    angle: float


def pose_from_points(points: np.ndarray) -> FacePose:
    """The ``FacePose`` of (468, 2+) mesh points given in frame pixels."""
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    right, left = xy[RIGHT_EYE_OUTER], xy[LEFT_EYE_OUTER]
    angle = math.atan2(left[1] - right[1], left[0] - right[0])
    cos, sin = math.cos(angle), math.sin(angle)
    # Coordinates along the eye line (u) and across it (v).
    u = xy[:, 0] * cos + xy[:, 1] * sin
    v = xy[:, 1] * cos - xy[:, 0] * sin
    u0, u1, v0, v1 = float(u.min()), float(u.max()), float(v.min()), float(v.max())
    uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
    return FacePose(
        cx=uc * cos - vc * sin,
        cy=uc * sin + vc * cos,
        size=max(u1 - u0, v1 - v0, 1e-6),
        angle=angle,
    )


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2 * math.pi) - math.pi


@dataclass(frozen=True)
class RoiCalibration:
    """Where the detector's square sits relative to the mesh's pose, for one viewer's face.

    ``du``/``dv``: the square's centre minus the pose's, along and across the eye line, in
    pose sizes; ``ratio``: square side over pose size; ``droll``: square roll minus pose roll.
    """

    du: float
    dv: float
    ratio: float
    droll: float

    @classmethod
    def fit(cls, roi: Roi, pose: FacePose) -> RoiCalibration:
        """The calibration that turns ``pose`` back into the detector's ``roi``."""
        cos, sin = math.cos(pose.angle), math.sin(pose.angle)
        dx, dy = roi.cx - pose.cx, roi.cy - pose.cy
        return cls(
            du=(dx * cos + dy * sin) / pose.size,
            dv=(dy * cos - dx * sin) / pose.size,
            ratio=roi.size / pose.size,
            droll=_wrap(roi.angle - pose.angle),
        )

    def roi(self, pose: FacePose) -> Roi:
        """The square the detector would give for a face whose mesh has ``pose``."""
        cos, sin = math.cos(pose.angle), math.sin(pose.angle)
        du, dv = self.du * pose.size, self.dv * pose.size
        return Roi(
            cx=pose.cx + du * cos - dv * sin,
            cy=pose.cy + du * sin + dv * cos,
            size=self.ratio * pose.size,
            angle=_wrap(pose.angle + self.droll),
        )


@dataclass(frozen=True)
class _Snapshot:
    roi: Roi  # where to look in the next frame (detector-square scale)
    frame_shape: tuple[int, int]  # (height, width) of the analysed image it refers to
    calibration: RoiCalibration
    since_detection: int  # frames tracked since the detector last ran
    eyes: float | None = None  # the last eye openness the iris model measured
    eyes_age: int = 0  # frames since that measurement


class FaceTrack:
    """One viewer's face between frames, so that the detector can be skipped.

    Pass one per frame to ``EmotionRecognizer.analyze(frames, tracks=[...])``, the same object
    for every frame of the same viewer, in order. ``reset()`` after a pause, a seek or a
    camera change; a change of frame size resets it by itself. An analysis replaces its one
    immutable snapshot in a single assignment, so two frames of one viewer analysed at once at
    worst both start from the same snapshot.
    """

    def __init__(
        self, redetect_every: int = DEFAULT_REDETECT_EVERY, eyes_every: int = DEFAULT_EYES_EVERY
    ) -> None:
        if redetect_every < 1:
            raise ValueError("redetect_every must be at least 1")
        if eyes_every < 1:
            raise ValueError("eyes_every must be at least 1")
        self.redetect_every = redetect_every
        self.eyes_every = eyes_every
        self._snapshot: _Snapshot | None = None
        # For monitoring and benchmarks: frames where the detector found the face, and frames
        # where the mesh followed it without the detector.
        self.detected_frames = 0
        self.followed_frames = 0

    def reset(self) -> None:
        """Forget the face: the next frame runs the detector."""
        self._snapshot = None

    def prediction(self, frame_shape: tuple[int, int]) -> tuple[Roi, RoiCalibration] | None:
        """Where to look in a frame of ``frame_shape`` (h, w) and the calibration to re-centre
        with, from one snapshot; None when the frame should run the detector."""
        snapshot = self._snapshot
        if (
            snapshot is None
            or snapshot.frame_shape != frame_shape
            or snapshot.since_detection + 1 >= self.redetect_every
        ):
            return None
        return snapshot.roi, snapshot.calibration

    def predicted_roi(self, frame_shape: tuple[int, int]) -> Roi | None:
        """Where to look in a frame of ``frame_shape`` (h, w), or None to run the detector."""
        prediction = self.prediction(frame_shape)
        return prediction[0] if prediction else None

    def known_eyes(self) -> float | None:
        """The eye openness a followed frame may reuse instead of measuring it, or None when
        this frame should measure (no reading yet, or the last one is ``eyes_every`` old)."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.eyes is None or snapshot.eyes_age + 1 >= self.eyes_every:
            return None
        return snapshot.eyes

    def calibration(self) -> RoiCalibration | None:
        """The current calibration (None before the first detection)."""
        snapshot = self._snapshot
        return snapshot.calibration if snapshot is not None else None

    def detected(
        self,
        roi: Roi,
        pose: FacePose,
        frame_shape: tuple[int, int],
        eyes: float | None = None,
    ) -> None:
        """Record a frame where the detector found the face at ``roi`` and the mesh at ``pose``
        (``eyes``: the openness measured on it)."""
        calibration = RoiCalibration.fit(roi, pose)
        self._snapshot = _Snapshot(roi, frame_shape, calibration, 0, eyes, 0)
        self.detected_frames += 1

    def tracked(
        self,
        roi: Roi,
        frame_shape: tuple[int, int],
        eyes: float | None = None,
        measured: bool = True,
    ) -> None:
        """Record a frame where the face was followed, without the detector, to ``roi``;
        ``eyes`` is its openness, ``measured`` False when it was the reused last reading."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        age = snapshot.eyes_age + 1 if not measured else 0
        self._snapshot = _Snapshot(
            roi, frame_shape, snapshot.calibration, snapshot.since_detection + 1, eyes, age
        )
        self.followed_frames += 1

    def adopt(self, other: FaceTrack) -> None:
        """Take over the state of a copy of this track that was analysed elsewhere (a worker
        process): one assignment of its immutable snapshot, like ``analyze``'s own updates."""
        self._snapshot = other._snapshot
        self.detected_frames = other.detected_frames
        self.followed_frames = other.followed_frames

    def lost(self) -> None:
        """Record a frame without the face: the next frame runs the detector."""
        self._snapshot = None


def pose_in_frame(points: np.ndarray, roi: Roi) -> FacePose:
    """The ``FacePose`` of mesh ``points`` (468, 3) given in the pixels of ``roi``'s mesh crop."""
    inverse = cv2.invertAffineTransform(roi.affine(MESH_INPUT, scale=ROI_SCALE))
    xy = points[:, :2].astype(np.float64) @ inverse[:, :2].T + inverse[:, 2]
    return pose_from_points(xy)
