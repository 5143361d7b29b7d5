"""Frames per second: 640x480 JPEG -> FrameAnalysis, against the prototype's path.

Run from the repository root: ``python -m bench.frames``. Everything is single-threaded, as
issue 4 asks: LiteRT interpreters with one thread, OpenCV with one thread, TensorFlow with one
intra- and one inter-op thread. The prototype is also timed with OpenCV's default thread count
(its Haar cascade then uses every core that is free, as the prototype itself did), and the
ratios against both are printed: the latter flatters the baseline, never the engine, and moves
with the machine's load, since a second core is free only some of the time.

* **engine**: bytes in, ``FrameAnalysis`` out, landmarks (head pose, eye openness) on:
  ``decode_for_analysis`` (a 640x480 JPEG is decoded at 320x240 by DCT scaling) +
  ``EmotionRecognizer.analyze`` at batch 1, 8 and 32, with the time per stage;

  - *per frame*: every frame analysed on its own (detector on every frame);
  - *tracked*: one ``FaceTrack`` per viewer, as a live session holds; a batch of n is one frame
    from each of n viewers, and the detector runs only when a track needs it (the share of
    frames it ran on is printed);
  - for comparison: per frame with the full-size ``decode_jpeg``, and with landmarks off.
* **prototype** (measured in the same run): decode, mirror, Haar
  ``detectMultiScale(gray, 1.05, 3, minSize=(60, 60))``, crop, resize 96x96, Keras MobileNetV2
  (96x96x3, random weights, 5-class head) ``predict`` one frame at a time.

The machine is shared, so the run goes in rounds: a few prototype frames (each way), then half
a second of every engine configuration, eight times over; every figure is then spread over the whole run
and a burst of someone else's load hits them all alike. The range of the prototype's per-round
rates shows how noisy the machine was.

The frames are scikit-image's astronaut photo (a real face) placed in a 640x480 frame, moving
smoothly from side to side as a viewer's head does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from emotion import (  # noqa: E402
    EmotionRecognizer,
    FaceTrack,
    FrameAnalysis,
    decode_for_analysis,
    decode_jpeg,
)

ENGINE_SECONDS = 4.0  # per engine configuration, in ROUNDS slices
ROUNDS = 8
PROTOTYPE_SLICE = 5  # prototype frames per round
BATCHES = (1, 8, 32)
FRAME_COUNT = 32


def make_jpegs(count: int = FRAME_COUNT) -> list[bytes]:
    """640x480 JPEGs of the astronaut's head and shoulders, as a webcam sees a viewer.

    Her face (about 94 px in the 512 px photo) is scaled to about 165 px, a laptop webcam's view
    of someone at arm's length, and moves 6 px a frame from side to side and back (a 16-frame
    cycle), a steady head's sway rather than jumps.
    """
    from skimage import data

    head = data.astronaut()[:, :, ::-1][0:300, 75:375]  # 300x300 around the face
    head = cv2.resize(head, (480, 480), interpolation=cv2.INTER_LINEAR)
    jpegs = []
    for i in range(count):
        phase = i % 16
        frame = np.full((480, 640, 3), 60, np.uint8)
        x = 60 + 6 * (phase if phase <= 8 else 16 - phase)
        frame[:, x : x + 480] = head
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        jpegs.append(buf.tobytes())
    return jpegs


class EngineRun:
    """One engine configuration, measured in instalments (``run_for``) that add up."""

    def __init__(
        self,
        label: str,
        jpegs: list[bytes],
        batch: int,
        *,
        tracked: bool = False,
        landmarks: bool = True,
        decode: Callable = decode_for_analysis,
    ) -> None:
        self.label = label
        self.jpegs = jpegs
        self.batch = batch
        self.decode = decode
        self.recognizer = EmotionRecognizer(num_threads=1, landmarks=landmarks)
        # Tracked: ``batch`` viewers, each with its own track, each watching the sequence from
        # its own starting frame; per frame: batch k holds frames k*batch ... of the sequence.
        self.tracks = [FaceTrack() for _ in range(batch)] if tracked else None
        self.recognizer.analyze(self._decoded(0), tracks=self.tracks)  # load + warm up
        self.detected_before = sum(t.detected_frames for t in self.tracks or ())
        self.timings: dict[str, float] = {}
        self.frames = self.faces = 0
        self.seconds = 0.0
        self.step = 1

    def _decoded(self, step: int) -> list:
        n, batch = len(self.jpegs), self.batch
        if self.tracks is not None:  # viewer v is at frame step + 5v of the sequence
            sources = [self.jpegs[(step + 5 * v) % n] for v in range(batch)]
        else:
            sources = [self.jpegs[(step * batch + k) % n] for k in range(batch)]
        return [self.decode(j) for j in sources]

    def run_for(self, seconds: float) -> None:
        """Analyse batches for about ``seconds``; OpenCV on one thread meanwhile."""
        previous = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                t0 = time.perf_counter()
                decoded = self._decoded(self.step)
                self.timings["decode"] = self.timings.get("decode", 0.0) + time.perf_counter() - t0
                results: list[FrameAnalysis] = self.recognizer.analyze(
                    decoded, tracks=self.tracks, timings=self.timings
                )
                self.faces += sum(r.face_found for r in results)
                self.frames += self.batch
                self.step += 1
            self.seconds += time.perf_counter() - start
        finally:
            cv2.setNumThreads(previous)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds

    def summary(self) -> str:
        """Stage times per frame, faces found and (tracked) how often the detector ran."""
        stages = ", ".join(f"{k} {v / self.frames * 1000:.2f}" for k, v in self.timings.items())
        text = f"ms/frame: {stages}; face in {self.faces / self.frames:.0%}"
        if self.tracks is not None:
            detected = sum(t.detected_frames for t in self.tracks) - self.detected_before
            text += f", detector ran on {detected / self.frames:.0%} of frames"
        return text


class Prototype:
    """The prototype's path, built once (TensorFlow and Keras are imported here)."""

    def __init__(self) -> None:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import keras

        backbone = keras.applications.MobileNetV2(
            input_shape=(96, 96, 3), include_top=False, weights=None, pooling="avg"
        )
        self.model = keras.Sequential([backbone, keras.layers.Dense(5, activation="softmax")])
        self.cascade = cv2.CascadeClassifier(
            cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        )

    def one(self, jpeg: bytes) -> bool:
        """One frame through the prototype; whether it found a face."""
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        frame = cv2.flip(frame, 1)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = self.cascade.detectMultiScale(gray, 1.05, 3, minSize=(60, 60))
        if len(faces) == 0:
            return False
        x, y, w, h = faces[0]
        face = cv2.resize(frame[y : y + h, x : x + w], (96, 96))
        self.model.predict(face[None].astype("float32") / 255.0, verbose=0)
        return True

    def run(self, jpegs: list[bytes], count: int, cv_threads: int) -> tuple[float, int]:
        """Seconds for ``count`` frames with OpenCV on ``cv_threads``, and faces found."""
        previous = cv2.getNumThreads()
        cv2.setNumThreads(cv_threads)
        found = 0
        try:
            start = time.perf_counter()
            for i in range(count):
                found += self.one(jpegs[i % len(jpegs)])
            return time.perf_counter() - start, found
        finally:
            cv2.setNumThreads(previous)


def main() -> None:
    """Print the figures and the ratios against the prototype."""
    jpegs = make_jpegs()
    print(f"640x480 JPEG ({len(jpegs[0]) // 1024} KiB) -> FrameAnalysis, single-threaded")
    prototype = Prototype()
    prototype.one(jpegs[0])  # build the predict function outside the timing
    default_threads = cv2.getNumThreads()
    runs = [EngineRun(f"per frame, batch {b:2d}", jpegs, b) for b in BATCHES]
    runs += [EngineRun(f"tracked, batch {b:2d}", jpegs, b, tracked=True) for b in BATCHES]
    runs.append(EngineRun("per frame, batch  1, full-size decode", jpegs, 1, decode=decode_jpeg))
    runs.append(EngineRun("per frame, batch  1, landmarks off", jpegs, 1, landmarks=False))
    # Rounds of (prototype slices, then a slice of every engine run): each figure is spread
    # over the whole run, so a burst of load from another process hits them all alike.
    slices: dict[int, list[tuple[float, int]]] = {1: [], default_threads: []}
    for round_ in range(ROUNDS):
        for threads, taken in slices.items():
            taken.append(prototype.run(jpegs[round_:], PROTOTYPE_SLICE, threads))
        for run in runs:
            run.run_for(ENGINE_SECONDS / ROUNDS)
    for run in runs:
        print(f"engine {run.label:37s} {run.fps:7.1f} frames/s  ({run.summary()})")
    baselines = {}
    for threads, taken in slices.items():
        frames = PROTOTYPE_SLICE * len(taken)
        fps = frames / sum(t for t, _ in taken)
        rates = [PROTOTYPE_SLICE / t for t, _ in taken]
        found = sum(n for _, n in taken)
        name = "single-threaded" if threads == 1 else f"OpenCV on {threads} threads"
        baselines[name] = fps
        print(
            f"prototype batch  1, {name:24s} {fps:5.1f} frames/s  (faces found in "
            f"{found}/{frames}; rounds between {min(rates):.1f} and {max(rates):.1f} frames/s)"
        )
    print("ratios engine / prototype (" + " | ".join(baselines) + "):")
    for run in runs:
        ratios = " | ".join(f"{run.fps / fps:5.1f}x" for fps in baselines.values())
        print(f"  {run.label:37s} {ratios}")


if __name__ == "__main__":
    main()
