"""Face detection with MediaPipe's BlazeFace models run through LiteRT.

Aspect-preserving input (no letterbox), the model's anchors, weighted non-maximum suppression.
The short-range model (128 px input, faces within ~2 m: the webcam) is the emotion engine's;
the full-range one (192 px input, one stride-4 grid) finds the small faces of a group shot and
is what clip reframing uses. The models' input and output, and the measurements behind the
choices: docs/emotion-engine.md#face-detection, docs/reframe.md#faces.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import cv2
import numpy as np

from .litert import LiteModel

logger = logging.getLogger(__name__)

INPUT_SIZE = 128
GRID_STEP = 16  # the coarsest stride: input sides are multiples of it
STRIDES = (8, 16, 16, 16)
ANCHORS_PER_LAYER = 2
SCORE_CLIP = 100.0
MIN_SCORE = 0.7
NMS_IOU = 0.3

# Keypoint indices in a detection (subject's own left/right).
RIGHT_EYE, LEFT_EYE, NOSE_TIP, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True)
class DetectorSpec:
    """One BlazeFace variant: its input side, anchor strides, anchors per grid cell and score."""

    input_size: int
    strides: tuple[int, ...]
    anchors_per_cell: int
    min_score: float
    # The graph only runs on its square input (the full-range model's reshapes are fixed).
    square_only: bool = False


SHORT_RANGE = DetectorSpec(INPUT_SIZE, STRIDES, ANCHORS_PER_LAYER, MIN_SCORE)
# MediaPipe's full-range graph: 192x192, one 48x48 grid with one anchor a cell, threshold 0.6.
FULL_RANGE = DetectorSpec(192, (4,), 1, 0.6, square_only=True)


def generate_anchors(
    input_size: int | tuple[int, int] = INPUT_SIZE, strides: tuple[int, ...] = STRIDES,
    unit: int = INPUT_SIZE, per_cell: int = ANCHORS_PER_LAYER,
) -> np.ndarray:
    """Anchor centres (n, 2) as (x, y) in units of ``unit`` input pixels (the model's side), in
    the model's order.

    ``input_size`` is the input's side, or its (height, width).
    """
    height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
    centres = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        # Consecutive layers with one stride share a grid; their anchors interleave per cell.
        same = 0
        while layer + same < len(strides) and strides[layer + same] == stride:
            same += 1
        rows, cols = int(np.ceil(height / stride)), int(np.ceil(width / stride))
        ys, xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        grid = np.stack([(xs + 0.5) * stride, (ys + 0.5) * stride], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid / unit, same * per_cell, axis=0))
        layer += same
    return np.concatenate(centres).astype(np.float32)


ANCHORS = generate_anchors()
# Anchors per grid (16x16x2 and 8x8x6), the blocks a batched invocation is laid out in.
GRID_COUNTS = (512, 384)


@lru_cache(maxsize=32)
def anchor_grid(
    height: int, width: int, spec: DetectorSpec = SHORT_RANGE
) -> tuple[np.ndarray, tuple[int, int]]:
    """Anchors and per-grid anchor counts for an input of ``height`` x ``width`` pixels."""
    anchors = generate_anchors((height, width), spec.strides, spec.input_size,
                               spec.anchors_per_cell)
    anchors.setflags(write=False)  # shared between threads through the cache
    stride = spec.strides[0]
    first = -(-height // stride) * -(-width // stride) * spec.anchors_per_cell
    if all(s == stride for s in spec.strides):
        first = len(anchors)
    return anchors, (first, len(anchors) - first)


def input_size_for(
    frame_height: int, frame_width: int, unit: int = INPUT_SIZE
) -> tuple[int, int]:
    """The detector's input (height, width) for a frame: long side ``unit`` (the model's side),
    sides multiples of 16."""
    scale = unit / max(frame_height, frame_width)

    def side(pixels: int) -> int:
        scaled = max(1, round(pixels * scale))
        return min(unit, -(-scaled // GRID_STEP) * GRID_STEP)

    return side(frame_height), side(frame_width)


@dataclass(frozen=True)
class Detection:
    """A face in frame pixels: box (x, y, w, h), score in [0, 1], six keypoints (6, 2)."""

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]


@dataclass(frozen=True)
class Letterbox:
    """How a frame was fitted into the square model input: scale and padding in input pixels."""

    scale: float
    pad_x: float
    pad_y: float
    unit: int = INPUT_SIZE  # the model's side: normalised coordinates are in these units

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Map normalised model coordinates (..., 2) back to frame pixels."""
        pixels = xy * self.unit
        pixels[..., 0] = (pixels[..., 0] - self.pad_x) / self.scale
        pixels[..., 1] = (pixels[..., 1] - self.pad_y) / self.scale
        return pixels


def letterbox(frame_bgr: np.ndarray, out: np.ndarray, unit: int = INPUT_SIZE) -> Letterbox:
    """Fit a BGR uint8 frame into ``out`` (h, w, 3) RGB float32 in [-1, 1], aspect kept.

    ``out`` is the square 128x128 input or the frame-shaped one from ``input_size_for``; any
    border is zero (mid-grey), as the model was trained with.
    """
    h, w = frame_bgr.shape[:2]
    out_h, out_w = out.shape[:2]
    scale = unit / max(h, w)
    new_w, new_h = min(out_w, max(1, round(w * scale))), min(out_h, max(1, round(h * scale)))
    pad_x, pad_y = (out_w - new_w) // 2, (out_h - new_h) // 2
    # A 640x480 frame shrinks 5x: plain bilinear would alias, and area averaging straight from
    # full size costs 0.3 ms. Bilinear to twice the target, then a 2x area step, is within a
    # third of a grey level of the latter at a third of the cost.
    if w > 2 * new_w and h > 2 * new_h:
        frame_bgr = cv2.resize(frame_bgr, (2 * new_w, 2 * new_h), interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(frame_bgr, (new_w, new_h), interpolation=cv2.INTER_AREA)
    small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    if new_w != out_w or new_h != out_h:
        out.fill(0.0)
    region = out[pad_y : pad_y + new_h, pad_x : pad_x + new_w]
    np.multiply(small, np.float32(1.0 / 127.5), out=region, casting="unsafe")
    region -= 1.0
    return Letterbox(scale=scale, pad_x=float(pad_x), pad_y=float(pad_y), unit=unit)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (x1, y1, x2, y2) box against many."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def decode(
    regressors: np.ndarray,
    logits: np.ndarray,
    min_score: float = MIN_SCORE,
    anchors: np.ndarray = ANCHORS,
    unit: int = INPUT_SIZE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode one image's raw outputs into candidate boxes, scores and keypoints.

    ``regressors`` is (a, 16), ``logits`` (a,) for the a ``anchors`` (896 for the square
    input). Returns corners (k, 4) as (x1, y1, x2, y2), scores (k,) and keypoints (k, 6, 2),
    all in model-input coordinates in units of ``unit`` pixels (the model's side).
    """
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
    keep = scores >= min_score
    if not keep.any():
        return (
            np.zeros((0, 4), np.float32),
            np.zeros(0, np.float32),
            np.zeros((0, 6, 2), np.float32),
        )
    raw = regressors[keep] / unit
    anchors = anchors[keep]
    centre = raw[:, 0:2] + anchors
    half = raw[:, 2:4] / 2.0
    corners = np.concatenate([centre - half, centre + half], axis=1)
    keypoints = raw[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
    return corners, scores[keep], keypoints


def weighted_nms(
    corners: np.ndarray, scores: np.ndarray, keypoints: np.ndarray, iou: float = NMS_IOU
) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """Merge overlapping candidates: each cluster becomes its score-weighted mean box."""
    order = np.argsort(-scores)
    corners, scores, keypoints = corners[order], scores[order], keypoints[order]
    remaining = np.ones(len(scores), dtype=bool)
    merged = []
    for i in range(len(scores)):
        if not remaining[i]:
            continue
        cluster = remaining & (_iou(corners[i], corners) > iou)
        cluster[i] = True
        weights = scores[cluster][:, None]
        total = weights.sum()
        box = (corners[cluster] * weights).sum(axis=0) / total
        kps = (keypoints[cluster] * weights[:, :, None]).sum(axis=0) / total
        merged.append((box, float(scores[i]), kps))
        remaining &= ~cluster
    return merged


def unbatch_blazeface(
    outputs: list[np.ndarray], n: int, grid_counts: tuple[int, int] = GRID_COUNTS
) -> list[np.ndarray]:
    """Split a batched BlazeFace invocation into (n, a, 16) regressors and (n, a) logits.

    With the batch axis resized to n, the graph emits (1, a * n, k) laid out layer-major: the
    stride-8 grid's anchors for every item (512 for a 128x128 input), then the stride-16 grid's
    (384) for every item (checked against single-image runs). ``grid_counts`` are the two
    grids' anchor counts for the input size.
    """
    regressors, logits = sorted(outputs, key=lambda a: -a.shape[-1])  # 16 columns vs 1
    per_item = []
    for out in (regressors, logits):
        k = out.shape[-1]
        flat = out.reshape(-1, k)
        first = grid_counts[0] * n
        per_item.append(
            np.concatenate(
                [
                    flat[:first].reshape(n, grid_counts[0], k),
                    flat[first:].reshape(n, grid_counts[1], k),
                ],
                axis=1,
            )
        )
    return [per_item[0], per_item[1][..., 0]]


class FaceDetector:
    """BlazeFace through LiteRT (short-range unless ``spec`` says otherwise); ``detect`` returns
    every face per frame."""

    def __init__(
        self, model: LiteModel, min_score: float | None = None, spec: DetectorSpec = SHORT_RANGE
    ) -> None:
        self.model = model
        self.spec = spec
        self.min_score = spec.min_score if min_score is None else min_score

    def detect(self, frames_bgr: list[np.ndarray]) -> list[list[Detection]]:
        """Faces in each BGR uint8 frame, largest first, in frame pixel coordinates."""
        # Frames of one shape (the usual case: one webcam size) share one batched invocation.
        groups: dict[tuple[int, int], list[int]] = {}
        for i, frame in enumerate(frames_bgr):
            unit = self.spec.input_size
            size = ((unit, unit) if self.spec.square_only
                    else input_size_for(frame.shape[0], frame.shape[1], unit=unit))
            groups.setdefault(size, []).append(i)
        results: list[list[Detection]] = [[] for _ in frames_bgr]
        for (height, width), indices in groups.items():
            batch = np.empty((len(indices), height, width, 3), np.float32)
            boxes = [letterbox(frames_bgr[i], batch[k], unit) for k, i in enumerate(indices)]
            anchors, grid_counts = anchor_grid(height, width, self.spec)
            regressors, logits = self.model.run(
                batch, unbatch=partial(unbatch_blazeface, grid_counts=grid_counts)
            )
            for k, i in enumerate(indices):
                results[i] = self._faces(regressors[k], logits[k], anchors, boxes[k])
        return results

    def _faces(
        self, regressors: np.ndarray, logits: np.ndarray, anchors: np.ndarray, lb: Letterbox
    ) -> list[Detection]:
        corners, scores, keypoints = decode(regressors, logits, self.min_score, anchors,
                                            self.spec.input_size)
        faces = []
        for box, score, kps in weighted_nms(corners, scores, keypoints):
            top_left = lb.to_frame(box[:2].copy())
            bottom_right = lb.to_frame(box[2:].copy())
            w, h = bottom_right - top_left
            faces.append(
                Detection(
                    box=(float(top_left[0]), float(top_left[1]), float(w), float(h)),
                    score=score,
                    keypoints=lb.to_frame(kps.copy()),
                )
            )
        faces.sort(key=lambda d: -d.area)
        return faces


def square_tiles(height: int, width: int, overlap: float = 0.2) -> list[tuple[int, int, int]]:
    """Squares (x, y, side) of side min(height, width) that cover a frame along its long axis,
    neighbours overlapping by at least ``overlap`` of a side, so that a face cut by one
    square's edge is whole in the next."""
    side = min(height, width)
    long_side = max(height, width)
    if long_side <= side:
        return [(0, 0, side)]
    count = int(np.ceil((long_side - side) / (side * (1.0 - overlap)))) + 1
    offsets = [round(i * (long_side - side) / (count - 1)) for i in range(count)]
    if width >= height:
        return [(x, 0, side) for x in offsets]
    return [(0, y, side) for y in offsets]


def detect_in_tiles(detector: FaceDetector, frames_bgr: list[np.ndarray],
                    iou: float = NMS_IOU) -> list[list[Detection]]:
    """Faces in wide frames found square by square (see ``square_tiles``), largest first.

    A square model input shrinks a 16:9 frame to a strip, and the full-range model then
    misses faces under ~130 px in a 1280x720 frame; one square per frame height finds them
    down to ~60 px (docs/reframe.md#faces). A face seen in two squares is kept once: the
    detection with the higher score."""
    crops: list[np.ndarray] = []
    owners: list[tuple[int, int, int]] = []
    for index, frame in enumerate(frames_bgr):
        for x, y, side in square_tiles(*frame.shape[:2]):
            crops.append(frame[y : y + side, x : x + side])
            owners.append((index, x, y))
    found = detector.detect(crops)
    per_frame: list[list[Detection]] = [[] for _ in frames_bgr]
    for (index, x, y), faces in zip(owners, found, strict=True):
        for face in faces:
            bx, by, bw, bh = face.box
            per_frame[index].append(Detection(box=(bx + x, by + y, bw, bh), score=face.score,
                                              keypoints=face.keypoints + np.array([x, y])))
    results = []
    for faces in per_frame:
        faces.sort(key=lambda d: -d.score)
        kept: list[Detection] = []
        for face in faces:
            corners = np.array([[face.box[0], face.box[1], face.box[0] + face.box[2],
                                 face.box[1] + face.box[3]]])
            if all(_iou(np.array([k.box[0], k.box[1], k.box[0] + k.box[2],
                                  k.box[1] + k.box[3]]), corners)[0] <= iou for k in kept):
                kept.append(face)
        kept.sort(key=lambda d: -d.area)
        results.append(kept)
    return results


FULL_RANGE_FILE = "mediapipe/face_detection_full_range_sparse.tflite"

# A face as plain numbers: (x, y, w, h, score) in frame pixels.
FaceBox = tuple[float, float, float, float, float]


class VideoFaceFinder:
    """Every face in video frames, as plain ``FaceBox`` tuples: the full-range model over
    square tiles (``detect_in_tiles``). Callable, loaded on first use, shared by threads
    (each gets its own interpreter). What clip reframing is given (render.FaceFinder)."""

    def __init__(self, models_dir: Path, num_threads: int = 1) -> None:
        self.path = Path(models_dir) / FULL_RANGE_FILE
        self.num_threads = num_threads
        self._detector: FaceDetector | None = None

    @property
    def detector(self) -> FaceDetector:
        if self._detector is None:
            self._detector = FaceDetector(LiteModel(self.path, self.num_threads),
                                          spec=FULL_RANGE)
        return self._detector

    def __call__(self, frames_bgr: list[np.ndarray]) -> list[list[FaceBox]]:
        return [[(*face.box, face.score) for face in faces]
                for faces in detect_in_tiles(self.detector, frames_bgr)]
