"""The real models on real photos: faces, emotions, batches, threads, bad input."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from emotion import EMOTIONS, FrameAnalysis, FrameDecodeError, decode_jpeg

from .images import astronaut_head, cameraman, in_frame


def assert_well_formed(result: FrameAnalysis) -> None:
    assert result.face_found
    assert set(result.probabilities) == set(EMOTIONS)
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
    assert result.emotion == max(result.probabilities, key=result.probabilities.get)
    assert 0.0 <= result.attention <= 1.0


def test_smiling_astronaut_reads_happy_and_attentive(recognizer):
    (result,) = recognizer.analyze([in_frame(astronaut_head())])
    assert_well_formed(result)
    # Measured: happy 0.998; the frame's face sits at x 237-403, y 121-287.
    assert result.emotion == "happy"
    assert result.probabilities["happy"] > 0.9
    x, y, w, h = result.box
    assert 200 < x < 280 and 90 < y < 160 and 130 < w < 200 and 130 < h < 200
    assert abs(result.yaw) < 10 and abs(result.pitch) < 10
    assert result.eye_openness > 0.8
    assert result.attention > 0.9


def test_original_photo_of_any_size_works(recognizer):
    from skimage import data

    photo = data.astronaut()[:, :, ::-1].copy()  # 512x512, face about 94 px
    (result,) = recognizer.analyze([photo])
    assert_well_formed(result)
    assert result.emotion == "happy"
    x, y, w, h = result.box
    assert 160 < x < 200 and 60 < y < 100


@pytest.mark.parametrize(
    "name",
    ["grey", "noise", "coffee", "chelsea"],
)
def test_frames_without_a_face(recognizer, name):
    from skimage import data

    frames = {
        "grey": np.full((480, 640, 3), 128, np.uint8),
        "noise": np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8),
        "coffee": data.coffee()[:, :, ::-1].copy(),
        "chelsea": data.chelsea()[:, :, ::-1].copy(),  # a cat's face is not a viewer
    }
    (result,) = recognizer.analyze([frames[name]])
    assert result.face_found is False
    assert result.probabilities == {}
    assert result.emotion is None and result.box is None
    assert result.attention == 0.0


def test_largest_of_several_faces_is_chosen(recognizer):
    head = astronaut_head()
    frame = np.full((480, 960, 3), 60, np.uint8)
    frame[:, 0:480] = head  # face about 165 px
    small = cv2.resize(head, (240, 240), interpolation=cv2.INTER_AREA)
    frame[120:360, 660:900] = small  # the same face at about 80 px, on the right
    (result,) = recognizer.analyze([frame])
    assert_well_formed(result)
    x, _, w, _ = result.box
    assert x < 480 and w > 120

    frame = frame[:, ::-1].copy()  # and the other way round
    (result,) = recognizer.analyze([frame])
    x, _, w, _ = result.box
    assert x > 400 and w > 120


def test_batch_matches_single_frames_and_is_deterministic(recognizer):
    head = astronaut_head()
    frames = [
        in_frame(head, x=40),
        np.full((480, 640, 3), 90, np.uint8),
        cameraman(),
        in_frame(head, x=120, y=10),
        in_frame(cv2.flip(head, 1), x=100),
    ]
    batch = recognizer.analyze(frames)
    singles = [recognizer.analyze([f])[0] for f in frames]
    again = recognizer.analyze(frames)
    assert [r.face_found for r in batch] == [True, False, True, True, True]
    for b, s, a in zip(batch, singles, again, strict=True):
        assert b == a  # bit-for-bit the same on a second run
        assert b.face_found == s.face_found and b.box == s.box
        for emotion in b.probabilities:
            assert b.probabilities[emotion] == pytest.approx(s.probabilities[emotion], abs=1e-4)


def test_turned_face_is_found_but_not_attentive(recognizer):
    (result,) = recognizer.analyze([cameraman()])
    assert_well_formed(result)
    assert abs(result.yaw) > 30  # measured about -46 degrees
    assert result.attention < 0.2


def test_threads_share_one_recognizer(recognizer):
    frames = [in_frame(astronaut_head(), x=x) for x in (40, 80, 120, 160)]
    expected = recognizer.analyze(frames)
    results: dict[int, list[FrameAnalysis]] = {}

    def work(k: int) -> None:
        for _ in range(5):
            results[k] = recognizer.analyze(frames)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(4))


def test_empty_batch_and_bad_frames(recognizer):
    assert recognizer.analyze([]) == []
    with pytest.raises(ValueError, match="uint8"):
        recognizer.analyze([np.zeros((10, 10, 3), np.float32)])
    with pytest.raises(ValueError, match="BGR"):
        recognizer.analyze([np.zeros((10, 10, 5), np.uint8)])
    grey = cv2.cvtColor(in_frame(astronaut_head()), cv2.COLOR_BGR2GRAY)
    (result,) = recognizer.analyze([grey])  # a grey frame is accepted
    assert result.face_found


def test_decode_jpeg_round_trip_and_garbage():
    frame = in_frame(astronaut_head())
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    decoded = decode_jpeg(buf.tobytes())
    assert decoded.shape == (480, 640, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - frame).mean() < 3
    for garbage in (b"", b"not a jpeg at all", buf.tobytes()[:20]):
        with pytest.raises(FrameDecodeError):
            decode_jpeg(garbage)
    with pytest.raises(FrameDecodeError, match="at most"):
        decode_jpeg(buf.tobytes(), max_bytes=100)


def test_to_dict_is_json_ready(recognizer):
    import json

    (result,) = recognizer.analyze([in_frame(astronaut_head())])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["face_found"] is True and len(data["box"]) == 4
    assert set(data["probabilities"]) == set(EMOTIONS)
