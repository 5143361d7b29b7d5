"""Face regions of interest and the 468-point face mesh: head pose and eye openness.

``Roi`` is MediaPipe's upright square around a detected face; ``FaceMesh`` runs the mesh on it
and reads yaw, pitch and eye openness. How each signal is computed:
docs/emotion-engine.md#face-mesh.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np

from .detection import LEFT_EYE, RIGHT_EYE, Detection
from .litert import LiteModel

logger = logging.getLogger(__name__)

MESH_INPUT = 192
ROI_SCALE = 1.5
MIN_MESH_SCORE = 0.5

# Face-mesh indices (subject's own right/left).
FOREHEAD, CHIN, RIGHT_CHEEK, LEFT_CHEEK = 10, 152, 234, 454
RIGHT_EYE_LIDS, RIGHT_EYE_CORNERS = (159, 145), (33, 133)
LEFT_EYE_LIDS, LEFT_EYE_CORNERS = (386, 374), (362, 263)

# The face plane's normal leans up by about this much on frontal photos (skimage's astronaut).
PITCH_OFFSET_DEG = 12.0
# Eyelid-gap-to-width ratios mapped to openness 0 and 1.
EYE_CLOSED_RATIO, EYE_OPEN_RATIO = 0.08, 0.25


@dataclass(frozen=True)
class Roi:
    """A rotated square in frame pixels: centre, side length and rotation (radians)."""

    cx: float
    cy: float
    size: float
    angle: float

    def affine(self, out_w: int, out_h: int | None = None, scale: float = 1.0) -> np.ndarray:
        """2x3 matrix mapping frame pixels into an ``out_w`` x ``out_h`` upright crop.

        ``scale`` enlarges (or shrinks) the square around the same centre first.
        """
        out_h = out_h or out_w
        side = self.size * scale
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        # Crop pixel (u, v) sits at centre + R(angle) . ((u/out - 1/2) * side, ...) in the frame;
        # this is the inverse of that map.
        sx, sy = out_w / side, out_h / side
        matrix = np.array(
            [
                [cos * sx, sin * sx, 0.0],
                [-sin * sy, cos * sy, 0.0],
            ]
        )
        matrix[:, 2] = np.array([out_w / 2, out_h / 2]) - matrix[:, :2] @ np.array(
            [self.cx, self.cy]
        )
        return matrix


def roi_from_detection(detection: Detection) -> Roi:
    """The upright square around a detected face (the box's long side, rotated level).

    MediaPipe's detection-to-ROI rule enlarges this 1.5x for the mesh; callers pass their own
    enlargement to ``Roi.affine``.
    """
    x, y, w, h = detection.box
    right_eye, left_eye = detection.keypoints[RIGHT_EYE], detection.keypoints[LEFT_EYE]
    # The subject's right eye appears on the image's left: the vector right->left eye points
    # right in an upright face, so its angle is the roll to undo.
    angle = math.atan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0])
    return Roi(cx=x + w / 2, cy=y + h / 2, size=max(w, h), angle=angle)


@dataclass(frozen=True)
class FaceSignals:
    """What the mesh says about one face."""

    mesh_score: float
    yaw: float  # degrees
    pitch: float  # degrees
    eye_openness: float  # [0, 1]


# The mesh points the signals read, fetched in one indexing call.
_SIGNAL_POINTS = (
    FOREHEAD, CHIN, RIGHT_CHEEK, LEFT_CHEEK, *RIGHT_EYE_LIDS, *RIGHT_EYE_CORNERS,
    *LEFT_EYE_LIDS, *LEFT_EYE_CORNERS,
)  # fmt: skip


def signals_from_mesh(points: np.ndarray, score: float) -> FaceSignals:
    """Head pose and eye openness from (468, 3) mesh points in upright-crop coordinates."""
    # A dozen points in plain floats: numpy's per-call overhead (cross, norm) on 3-vectors
    # cost more than the arithmetic itself.
    (
        forehead, chin, right_cheek, left_cheek,
        r_top, r_bottom, r_outer, r_inner, l_top, l_bottom, l_inner, l_outer,
    ) = points[list(_SIGNAL_POINTS)].tolist()  # fmt: skip
    ax, ay, az = (left_cheek[k] - right_cheek[k] for k in range(3))
    dx, dy, dz = (chin[k] - forehead[k] for k in range(3))
    # Only the normal's direction matters (yaw and pitch are atan2 of its components), and
    # scaling either vector does not change it, so neither is normalised.
    nx, ny, nz = ay * dz - az * dy, az * dx - ax * dz, ax * dy - ay * dx
    yaw = math.degrees(math.atan2(nx, nz))
    pitch = -math.degrees(math.atan2(ny, nz)) - PITCH_OFFSET_DEG

    def ratio(top: list[float], bottom: list[float], a: list[float], b: list[float]) -> float:
        gap = math.hypot(top[0] - bottom[0], top[1] - bottom[1])
        width = math.hypot(a[0] - b[0], a[1] - b[1])
        return gap / max(width, 1e-6)

    # The wider-open eye counts: in a turned head the far eye is foreshortened and reads as
    # half closed, while both eyes really close together.
    eye = max(ratio(r_top, r_bottom, r_outer, r_inner), ratio(l_top, l_bottom, l_inner, l_outer))
    openness = (eye - EYE_CLOSED_RATIO) / (EYE_OPEN_RATIO - EYE_CLOSED_RATIO)
    return FaceSignals(
        mesh_score=score,
        yaw=yaw,
        pitch=pitch,
        eye_openness=min(max(openness, 0.0), 1.0),
    )


@dataclass(frozen=True)
class MeshResult:
    """The face mesh on a batch of face regions.

    ``signals[i]`` is None where the mesh sees no face in region i. ``crops`` (n, 192, 192, 3)
    are the upright BGR uint8 crops it read (each region enlarged ``ROI_SCALE`` times), kept so
    the emotion classifier can take its smaller crop from them instead of warping the frame a
    second time; ``points`` (n, 468, 3) are the landmarks in those crops' pixels.
    """

    signals: list[FaceSignals | None]
    crops: np.ndarray
    points: np.ndarray


class FaceMesh:
    """MediaPipe's face-landmark model through LiteRT."""

    def __init__(self, model: LiteModel) -> None:
        self.model = model

    def signals(self, frames_bgr: list[np.ndarray], rois: list[Roi]) -> list[FaceSignals | None]:
        """Signals for each (BGR frame, roi) pair; None where the mesh model sees no face."""
        return self.run(frames_bgr, rois).signals

    def run(self, frames_bgr: list[np.ndarray], rois: list[Roi]) -> MeshResult:
        """The mesh for each (BGR frame, roi) pair: signals, crops and landmarks."""
        n = len(rois)
        crops = np.empty((n, MESH_INPUT, MESH_INPUT, 3), np.uint8)
        if not n:
            return MeshResult([], crops, np.zeros((0, 468, 3), np.float32))
        batch = np.empty((n, MESH_INPUT, MESH_INPUT, 3), np.float32)
        scale = np.float32(1.0 / 255.0)
        for i, (frame, roi) in enumerate(zip(frames_bgr, rois, strict=True)):
            # Replicated borders for a face at the frame's edge: the classifier's crop comes
            # from this one, and a black band there reads as a dark shadow on the face.
            cv2.warpAffine(
                frame,
                roi.affine(MESH_INPUT, scale=ROI_SCALE),
                (MESH_INPUT, MESH_INPUT),
                dst=crops[i],
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )
            np.multiply(cv2.cvtColor(crops[i], cv2.COLOR_BGR2RGB), scale, out=batch[i])
        points, logits = self.model.run(batch)
        points = points.reshape(n, -1, 3)
        scores = 1.0 / (1.0 + np.exp(-logits[:, 0].astype(np.float64)))
        signals: list[FaceSignals | None] = []
        for i in range(n):
            if scores[i] < MIN_MESH_SCORE:
                signals.append(None)
                continue
            signals.append(signals_from_mesh(points[i], float(scores[i])))
        return MeshResult(signals, crops, points)
