"""Frames per second: 640x480 JPEG -> FrameAnalysis, against the prototype's path.

Run from the repository root: ``python -m bench.frames``. Everything is single-threaded
(LiteRT interpreters with one thread; TensorFlow with one intra- and one inter-op thread) so the
figures are per core and comparable.

* **engine**: ``decode_jpeg`` + ``EmotionRecognizer.analyze`` at batch 1, 8 and 32, with the
  time per stage.
* **prototype** (measured in the same run): decode, mirror, Haar
  ``detectMultiScale(gray, 1.05, 3, minSize=(60, 60))``, crop, resize 96x96, Keras MobileNetV2
  (96x96x3, random weights, 5-class head) ``predict`` one frame at a time.

The frames are scikit-image's astronaut photo (a real face) placed in a 640x480 frame, shifted a
little from frame to frame.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from analysis.emotion import EmotionRecognizer, decode_jpeg  # noqa: E402

ENGINE_SECONDS = 4.0
PROTOTYPE_FRAMES = 20
BATCHES = (1, 8, 32)


def make_jpegs(count: int = 32) -> list[bytes]:
    """640x480 JPEGs of the astronaut's head and shoulders, as a webcam sees a viewer.

    Her face (about 94 px in the 512 px photo) is scaled to about 150 px, a laptop webcam's view
    of someone at arm's length, and shifted a few pixels from frame to frame.
    """
    from skimage import data

    head = data.astronaut()[:, :, ::-1][0:300, 75:375]  # 300x300 around the face
    head = cv2.resize(head, (480, 480), interpolation=cv2.INTER_LINEAR)
    jpegs = []
    for i in range(count):
        frame = np.full((480, 640, 3), 60, np.uint8)
        x = 60 + (i % 8) * 6
        frame[:, x : x + 480] = head
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        jpegs.append(buf.tobytes())
    return jpegs


def bench_engine(
    jpegs: list[bytes], batch: int, landmarks: bool = True
) -> tuple[float, dict[str, float], float]:
    """fps, ms per frame per stage, and the share of frames with a face."""
    recognizer = EmotionRecognizer(num_threads=1, landmarks=landmarks)
    recognizer.analyze([decode_jpeg(j) for j in jpegs[:batch]])  # load + warm up this size
    timings: dict[str, float] = {}
    frames = faces = 0
    start = time.perf_counter()
    while time.perf_counter() - start < ENGINE_SECONDS:
        t0 = time.perf_counter()
        decoded = [decode_jpeg(jpegs[(frames + k) % len(jpegs)]) for k in range(batch)]
        timings["decode"] = timings.get("decode", 0.0) + time.perf_counter() - t0
        results = recognizer.analyze(decoded, timings=timings)
        faces += sum(r.face_found for r in results)
        frames += batch
    elapsed = time.perf_counter() - start
    per_stage = {k: v / frames * 1000 for k, v in timings.items()}
    return frames / elapsed, per_stage, faces / frames


def bench_prototype(jpegs: list[bytes]) -> tuple[float, int]:
    """fps of the prototype's path and how many frames had a face."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    backbone = keras.applications.MobileNetV2(
        input_shape=(96, 96, 3), include_top=False, weights=None, pooling="avg"
    )
    model = keras.Sequential([backbone, keras.layers.Dense(5, activation="softmax")])
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")

    def one(jpeg: bytes) -> bool:
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        frame = cv2.flip(frame, 1)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = cascade.detectMultiScale(gray, 1.05, 3, minSize=(60, 60))
        if len(faces) == 0:
            return False
        x, y, w, h = faces[0]
        face = cv2.resize(frame[y : y + h, x : x + w], (96, 96))
        model.predict(face[None].astype("float32") / 255.0, verbose=0)
        return True

    one(jpegs[0])  # build the predict function outside the timing
    found = 0
    start = time.perf_counter()
    for i in range(PROTOTYPE_FRAMES):
        found += one(jpegs[i % len(jpegs)])
    return PROTOTYPE_FRAMES / (time.perf_counter() - start), found


def main() -> None:
    """Print the figures and the ratio against the prototype."""
    jpegs = make_jpegs()
    print(f"640x480 JPEG ({len(jpegs[0]) // 1024} KiB) -> FrameAnalysis, single-threaded")
    engine = {}
    for batch in BATCHES:
        fps, stages, face_share = bench_engine(jpegs, batch)
        engine[batch] = fps
        stage_text = ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
        print(
            f"engine    batch {batch:2d}: {fps:7.1f} frames/s  "
            f"(ms/frame: {stage_text}; face found in {face_share:.0%})"
        )
    fps, stages, _ = bench_engine(jpegs, 1, landmarks=False)
    engine_no_mesh = fps
    stage_text = ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if k != "landmarks")
    print(f"engine    batch  1, landmarks off: {fps:7.1f} frames/s  (ms/frame: {stage_text})")
    proto_fps, proto_faces = bench_prototype(jpegs)
    print(
        f"prototype batch  1: {proto_fps:7.1f} frames/s  (faces found in {proto_faces}/{PROTOTYPE_FRAMES})"
    )
    for batch in BATCHES:
        print(f"ratio engine batch {batch:2d} / prototype: {engine[batch] / proto_fps:6.1f}x")
    print(f"ratio engine batch  1, landmarks off / prototype: {engine_no_mesh / proto_fps:6.1f}x")


if __name__ == "__main__":
    main()
