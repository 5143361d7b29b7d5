"""Planning a face-tracked reframe: per-frame face detections and shot cuts in, one crop path
per shot out (or the blurred-background "fit" layout where no crop works).

Pure planning: numbers in, numbers out, no video. The rules and their reasons are in
docs/reframe.md; in short, per shot: link faces into tracks, choose one subject (persistent,
large, central), keep the camera still while the subject stays inside a dead zone, follow
only movements that last (a median over the samples), smooth with a Gaussian (which never adds
a reversal), drop back-and-forth wiggles, and cut only where the shot cuts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Layout = Literal["track", "fit"]


@dataclass(frozen=True)
class Face:
    """A face in source pixels: top-left corner, size, detector score."""

    x: float
    y: float
    w: float
    h: float
    score: float = 1.0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Sample:
    """The faces found in the frame shown at clip time ``t`` (seconds)."""

    t: float
    faces: tuple[Face, ...]


@dataclass(frozen=True)
class ReframeRules:
    """The planner's constants (docs/reframe.md gives the reason for each)."""

    dead_zone: float = 0.12  # of the crop's width: the subject may drift this far off-centre
    margin: float = 0.04  # of the crop's width: space kept between the face and the crop edge
    confirm_seconds: float = 0.8  # a move must last this long (median window) to be followed
    smooth_seconds: float = 0.35  # Gaussian sigma of the camera path
    wiggle: float = 0.03  # of the crop's width: smaller back-and-forth moves are held still
    # A move that would turn back within this time is not made at all where the still camera
    # keeps the faces inside the crop (a lean and back, a glance at a neighbour).
    reversal_seconds: float = 3.0
    link_distance: float = 0.6  # of the face's width: how far a face may move between samples
    link_gap_seconds: float = 1.0  # a track survives this long without a detection
    min_presence: float = 0.3  # a subject is seen in at least this share of the shot's samples
    companion_presence: float = 0.5  # another face this persistent ...
    companion_size: float = 0.7  # ... and at least this large (vs the subject) must fit too


@dataclass(frozen=True)
class ShotPlan:
    """One shot of the clip: ``[start, end)`` in clip seconds, its layout, and for a tracked
    shot the crop's top-left corner at ``times`` (one per output frame)."""

    start: float
    end: float
    layout: Layout
    reason: str
    times: tuple[float, ...] = ()
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()

    def position(self, t: float) -> tuple[float, float]:
        if not self.times:
            return 0.0, 0.0
        return (float(np.interp(t, self.times, self.xs)), float(np.interp(t, self.times, self.ys)))


@dataclass(frozen=True)
class CropPlan:
    """The reframe of one clip: the crop's size in source pixels and the shots in order."""

    source_size: tuple[int, int]
    crop_size: tuple[int, int]
    shots: tuple[ShotPlan, ...] = field(default_factory=tuple)

    def shot_at(self, t: float) -> ShotPlan:
        for shot in self.shots:
            if t < shot.end:
                return shot
        return self.shots[-1]

    def crop_at(self, t: float) -> tuple[int, int] | None:
        """The crop's top-left corner at clip time ``t``; None where the shot is fitted."""
        shot = self.shot_at(t)
        if shot.layout == "fit":
            return None
        x, y = shot.position(t)
        return round(x), round(y)

    @property
    def layouts(self) -> set[Layout]:
        return {shot.layout for shot in self.shots}


def crop_size(source: tuple[int, int], ratio: tuple[int, int]) -> tuple[int, int]:
    """The largest even-sized crop of ``ratio`` (w, h) inside a ``source`` (w, h) frame."""
    width, height = source
    rw, rh = ratio
    crop_w = min(width, int(height * rw / rh) // 2 * 2)
    crop_h = min(height, int(width * rh / rw) // 2 * 2)
    return max(2, crop_w), max(2, crop_h)


def plan_reframe(
    samples: Sequence[Sample],
    cuts: Sequence[float],
    duration: float,
    source: tuple[int, int],
    ratio: tuple[int, int],
    fps: float,
    rules: ReframeRules | None = None,
) -> CropPlan:
    """Plan the crop of a clip ``duration`` seconds long.

    ``samples`` are the faces found in sampled frames (clip times, source pixels), ``cuts``
    the clip times where a new shot starts, ``fps`` the rate of the output frames the path is
    given for.
    """
    rules = rules or ReframeRules()
    if not (duration > 0 and math.isfinite(duration)):
        raise ValueError("duration must be a positive number of seconds")
    if fps <= 0:
        raise ValueError("fps must be positive")
    size = crop_size(source, ratio)
    bounds = [0.0, *sorted(c for c in cuts if 0 < c < duration), duration]
    shots = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if end - start <= 0:
            continue
        inside = [s for s in samples if start <= s.t < end]
        shots.append(_plan_shot(inside, start, end, source, size, fps, rules))
    return CropPlan(source_size=source, crop_size=size, shots=tuple(shots))


# -- one shot ----------------------------------------------------------------------------------


@dataclass
class _Track:
    times: list[float] = field(default_factory=list)
    faces: list[Face] = field(default_factory=list)

    @property
    def last(self) -> Face:
        return self.faces[-1]


def link_tracks(samples: Sequence[Sample], rules: ReframeRules) -> list[_Track]:
    """Greedy linking: each face joins the nearest recent track it is close enough to."""
    tracks: list[_Track] = []
    for sample in samples:
        taken: set[int] = set()
        for face in sorted(sample.faces, key=lambda f: -f.w * f.h):
            best, best_distance = None, math.inf
            for index, track in enumerate(tracks):
                if index in taken or sample.t - track.times[-1] > rules.link_gap_seconds:
                    continue
                last = track.last
                distance = math.hypot(face.cx - last.cx, face.cy - last.cy)
                if distance <= rules.link_distance * max(face.w, last.w) * (
                        1 + (sample.t - track.times[-1])) and distance < best_distance:
                    best, best_distance = index, distance
            if best is None:
                tracks.append(_Track([sample.t], [face]))
                taken.add(len(tracks) - 1)
            else:
                tracks[best].times.append(sample.t)
                tracks[best].faces.append(face)
                taken.add(best)
    return tracks


def _plan_shot(samples: list[Sample], start: float, end: float, source: tuple[int, int],
               size: tuple[int, int], fps: float, rules: ReframeRules) -> ShotPlan:
    if not samples:
        return ShotPlan(start, end, "fit", "no frame analysed")
    tracks = link_tracks(samples, rules)
    count = len(samples)
    width, height = source

    def presence(track: _Track) -> float:
        return len(track.times) / count

    def face_size(track: _Track) -> float:
        return float(np.median([f.w for f in track.faces]))

    def centrality(track: _Track) -> float:
        cx = float(np.median([f.cx for f in track.faces]))
        return 1.0 - min(1.0, abs(cx - width / 2) / (width / 2))

    candidates = [t for t in tracks if presence(t) >= rules.min_presence]
    if not candidates:
        return ShotPlan(start, end, "fit", "no face")
    subject = max(candidates,
                  key=lambda t: presence(t) * face_size(t) * (0.75 + 0.25 * centrality(t)))
    group = [subject] + [
        t for t in candidates if t is not subject and presence(t) >= rules.companion_presence
        and face_size(t) >= rules.companion_size * face_size(subject)]
    crop_w, crop_h = size
    if len(group) > 1:
        left = min(float(np.median([f.x for f in t.faces])) for t in group)
        right = max(float(np.median([f.x + f.w for f in t.faces])) for t in group)
        if right - left > crop_w * (1 - 2 * rules.margin) and crop_w < width:
            return ShotPlan(start, end, "fit", f"{len(group)} faces do not fit")
    times = np.arange(start, end - 1e-9, 1.0 / fps)
    if len(times) == 0:
        times = np.array([start])
    xs = _axis_path(group, times, crop_w, width, "x", rules, fps)
    ys = _axis_path(group, times, crop_h, height, "y", rules, fps)
    return ShotPlan(start, end, "track", "face", tuple(float(t) for t in times),
                    tuple(xs), tuple(ys))


def _axis_path(group: list[_Track], times: np.ndarray, crop: int, frame: int, axis: str,
               rules: ReframeRules, fps: float) -> list[float]:
    """The crop's near edge (x or y) at each time, for the group's faces along one axis."""
    if crop >= frame:
        return [0.0] * len(times)
    # Per track: the face's span on this axis, interpolated over the output frames (held
    # before the first and after the last detection), after a median over the samples.
    lows, highs = [], []
    for track in group:
        t = np.array(track.times)
        near = np.array([f.x if axis == "x" else f.y for f in track.faces])
        extent = np.array([f.w if axis == "x" else f.h for f in track.faces])
        window = max(1, int(round(rules.confirm_seconds * len(t) / max(
            1e-6, (t[-1] - t[0]) + 1e-6))) | 1) if len(t) > 2 else 1
        near, extent = _median(near, window), _median(extent, window)
        lows.append(np.interp(times, t, near))
        highs.append(np.interp(times, t, near + extent))
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    centre = (low + high) / 2
    margin = rules.margin * crop
    # The camera centre must keep the faces inside (hard) and the group's centre within the
    # dead zone (comfort); where both cannot hold, the hard limits win.
    hard_lo, hard_hi = high + margin - crop / 2, low - margin + crop / 2
    zone = rules.dead_zone * crop
    lo, hi = np.maximum(hard_lo, centre - zone), np.minimum(hard_hi, centre + zone)
    # Faces wider than the crop (a close-up: a face box is often wider than a 9:16 crop of a
    # 16:9 frame) cannot be kept inside; the crop then stays on the face and still while the
    # face's centre moves less than the face overhangs the crop (at least half the dead
    # zone). Pinning the camera to the face's centre would follow every move of the head: a
    # naive tracker's jitter. To avoid a reversal the camera may go as far as keeps the crop
    # on the faces give or take the margin.
    bad = hard_lo > hard_hi
    overhang = np.maximum(zone / 2, (high - low - crop) / 2)
    lo[bad], hi[bad] = centre[bad] - overhang[bad], centre[bad] + overhang[bad]
    hard_lo, hard_hi = (np.where(bad, np.minimum(lo, hard_hi), hard_lo),
                        np.where(bad, np.maximum(hi, hard_lo), hard_hi))
    half = crop / 2
    lo, hi = np.clip(lo, half, frame - half), np.clip(hi, half, frame - half)
    # The lazy camera: start at the middle of the first second's band, move only when pushed.
    first = max(1, int(fps))
    camera = float(np.clip(np.median(centre[:first]), lo[0], hi[0]))
    path = np.empty(len(times))
    for i in range(len(times)):
        camera = min(max(camera, lo[i]), hi[i])
        path[i] = camera
    path = _gaussian(path, rules.smooth_seconds * fps)
    keeps_faces = (np.clip(hard_lo, half, frame - half), np.clip(hard_hi, half, frame - half))
    path = _hold_wiggles(path, rules.wiggle * crop, rules.reversal_seconds * fps, keeps_faces,
                         margin)
    path = np.clip(path, half, frame - half)
    return [float(v - half) for v in path]


def _median(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(values) < 3:
        return values
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    return np.array([np.median(padded[i : i + window]) for i in range(len(values))])


def _gaussian(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing with the ends held (edge padding). A Gaussian is variation
    diminishing: it never creates a new turning point in the path."""
    if sigma < 0.5 or len(values) < 3:
        return values
    radius = int(3 * sigma)
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, radius, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _hold_wiggles(path: np.ndarray, tolerance: float, window: float = 0.0,
                  keeps_faces: tuple[np.ndarray, np.ndarray] | None = None,
                  slack: float = 0.0) -> np.ndarray:
    """Take out the camera's turns back: every out-and-back move smaller than ``tolerance``,
    and every move that turns back within ``window`` frames of starting where the result
    keeps the camera inside ``keeps_faces`` (the centres that keep every face in the crop).

    A move that comes back past where it started is held still until the path is back at
    that place (so no jump is made); one that comes back only part of the way (the lazy
    camera stops at the dead zone's edge) becomes one eased move to where it comes to rest.
    """
    path = path.copy()
    start = 0
    while True:
        turns = turning_points(path)
        for a, b, c in zip(turns, turns[1:], [*turns[2:], len(path) - 1], strict=False):
            if a < start or b >= len(path) - 1:
                continue
            small = abs(path[b] - path[a]) < tolerance
            moving = np.nonzero(np.abs(np.diff(path[a : b + 1])) > 1e-3)[0]
            quick = keeps_faces is not None and b - (a + int(moving[0])) < window
            if not (small or quick):
                continue
            side = np.sign(path[b] - path[a])
            after = np.nonzero(np.sign(path[b + 1 :] - path[a]) != side)[0]
            if len(after):
                end = b + 1 + int(after[0])
                new = np.full(end - a, path[a])
            elif quick:
                moving = np.nonzero(np.abs(np.diff(path[a : c + 1])) > 1e-3)[0]
                first, last = a + int(moving[0]), a + int(moving[-1]) + 1
                if c < len(path) - 1:
                    last = c
                ease = np.linspace(0.0, 1.0, last - first + 1)
                ease = ease * ease * (3 - 2 * ease)
                new = np.concatenate([np.full(first - a, path[a]),
                                      path[first] + (path[last] - path[first]) * ease])
                end = last + 1
            else:
                continue
            if not small:
                assert keeps_faces is not None
                low, high = keeps_faces[0][a:end], keeps_faces[1][a:end]
                if not (np.all(low <= new + 1e-6) and np.all(new - 1e-6 <= high)):
                    continue
            path[a:end] = new
            start = a
            break
        else:
            return _hold_tail(path, tolerance, keeps_faces, slack)


def _hold_tail(path: np.ndarray, tolerance: float,
               keeps_faces: tuple[np.ndarray, np.ndarray] | None,
               slack: float) -> np.ndarray:
    """A last move back smaller than ``tolerance`` (the lazy camera easing off at the end of
    the shot) is held still: it is half of a wiggle whose other half the shot cut off. The
    faces may come up to ``slack`` closer to the crop's edge than ``keeps_faces`` says (so
    never out of the crop when ``slack`` is the margin)."""
    turns = turning_points(path)
    if len(turns) < 3:
        return path
    b = turns[-2]
    if abs(path[-1] - path[b]) >= tolerance:
        return path
    if keeps_faces is not None and not (np.all(keeps_faces[0][b:] <= path[b] + slack)
                                        and np.all(path[b] - slack <= keeps_faces[1][b:])):
        return path
    path = path.copy()
    path[b:] = path[b]
    return path


def turning_points(path: np.ndarray, eps: float = 1e-3) -> list[int]:
    """Indices where the path's direction of motion changes (plus its ends)."""
    points = [0]
    direction = 0
    for i in range(1, len(path)):
        step = path[i] - path[i - 1]
        if abs(step) <= eps:
            continue
        sign = 1 if step > 0 else -1
        if direction and sign != direction:
            points.append(i - 1)
        direction = sign
    points.append(len(path) - 1)
    return points


def reversals(path: Sequence[float], eps: float = 0.05) -> int:
    """How often a camera path changes direction (steps of ``eps`` pixels or less ignored)."""
    return max(0, len(turning_points(np.asarray(path, dtype=float), eps)) - 2)
