"""Attention rises for a viewer facing the screen and falls as they turn away or leave."""

from __future__ import annotations

import pytest

from emotion import AttentionTracker, FrameAnalysis, frame_attention
from emotion.fake import fake_analysis

from .images import astronaut_head, cameraman, in_frame, turned


def with_signals(
    emotion: str, yaw: float, pitch: float = 0.0, eyes: float = 1.0, box=(200, 100, 160, 160)
):
    base = fake_analysis(emotion, confidence=0.9)
    return FrameAnalysis(
        face_found=True,
        box=box,
        probabilities=base.probabilities,
        emotion=emotion,
        attention=frame_attention(True, yaw, pitch, eyes),
        yaw=yaw,
        pitch=pitch,
        eye_openness=eyes,
    )


def feed(tracker: AttentionTracker, analyses, start: float = 0.0, fps: float = 10.0) -> list[float]:
    return [tracker.update(a, start + i / fps) for i, a in enumerate(analyses)]


def test_frame_attention_components():
    assert frame_attention(False, None, None, None) == 0.0
    assert frame_attention(True, None, None, None) == 0.5  # presence only, no landmarks
    assert frame_attention(True, 0.0, 0.0, 1.0) == 1.0
    assert frame_attention(True, 10.0, -10.0, 1.0) == 1.0  # reading the screen's corner
    assert frame_attention(True, 27.5, 0.0, 1.0) == pytest.approx(0.5)
    assert frame_attention(True, -45.0, 0.0, 1.0) == 0.0
    assert frame_attention(True, 0.0, 45.0, 1.0) == 0.0
    assert frame_attention(True, 0.0, 0.0, 0.0) == 0.0  # eyes closed
    assert frame_attention(True, 0.0, 0.0, 0.5) == 0.5


def test_attentive_neutral_beats_smiling_look_away():
    calm = AttentionTracker()
    smiling_away = AttentionTracker()
    calm_score = feed(calm, [with_signals("neutral", yaw=3.0)] * 15)[-1]
    away_score = feed(smiling_away, [with_signals("happy", yaw=50.0)] * 15)[-1]
    assert calm_score > 0.9
    assert away_score < 0.1


def test_emotion_does_not_change_attention():
    scores = {
        emotion: feed(AttentionTracker(), [with_signals(emotion, yaw=20.0)] * 10)[-1]
        for emotion in ("happy", "neutral", "sad", "angry", "surprise")
    }
    assert len(set(scores.values())) == 1


def test_blink_is_forgiven_but_looking_away_is_not():
    tracker = AttentionTracker(window=1.5)
    steady = feed(tracker, [with_signals("neutral", 0.0)] * 15)
    blink = feed(tracker, [with_signals("neutral", 0.0, eyes=0.0)], start=1.5)
    assert blink[0] > 0.85  # one closed-eye frame in 1.5 s barely moves it
    away = feed(tracker, [with_signals("neutral", 60.0)] * 20, start=1.6)
    assert steady[-1] > 0.95 and away[-1] == 0.0
    assert all(b <= a + 1e-9 for a, b in zip(away, away[1:], strict=False))  # falls steadily


def test_face_leaving_drops_attention_to_zero_within_the_window():
    tracker = AttentionTracker(window=1.0)
    present = feed(tracker, [with_signals("neutral", 0.0)] * 10)
    gone = feed(tracker, [FrameAnalysis(face_found=False)] * 12, start=1.0)
    assert present[-1] > 0.95
    assert gone[0] < present[-1] and gone[-1] == 0.0


def test_restless_face_scores_lower_than_a_steady_one():
    steady = feed(AttentionTracker(), [with_signals("neutral", 0.0)] * 15)[-1]
    boxes = [(200 + (80 if i % 2 else -80), 100, 160, 160) for i in range(15)]
    restless = feed(AttentionTracker(), [with_signals("neutral", 0.0, box=b) for b in boxes])[-1]
    assert restless < steady - 0.2


def test_time_going_back_starts_afresh():
    tracker = AttentionTracker()
    feed(tracker, [FrameAnalysis(face_found=False)] * 10, start=50.0)
    assert tracker.update(with_signals("neutral", 0.0), 3.0) == 1.0  # a seek back: old frames gone


def test_real_face_turning_away_then_leaving(recognizer):
    """Real photo: facing, turning (cylinder warp), the turned cameraman, then no face."""
    head = astronaut_head()
    (first,) = recognizer.analyze([in_frame(head)])
    x, _, w, _ = first.box
    centre = x + w / 2 - 80  # in the head image's coordinates
    frames = [in_frame(head)] * 10
    frames += [in_frame(turned(head, deg, centre, w * 0.75)) for deg in (10, 20, 30, 40, 50)]
    frames += [cameraman()] * 10  # a real face, turned about 46 degrees
    frames += [in_frame(head, x=700)] * 15  # off the frame
    analyses = recognizer.analyze(frames)
    yaws = [abs(a.yaw) for a in analyses[10:15]]
    assert yaws == sorted(yaws) and yaws[-1] > yaws[0] + 5  # the mesh sees the turn grow
    assert all(a.emotion == "happy" for a in analyses[:15])  # still smiling while turning
    tracker = AttentionTracker()
    scores = [tracker.update(a, i / 10) for i, a in enumerate(analyses)]
    facing, turned_away, gone = scores[9], scores[24], scores[-1]
    assert facing > 0.9
    assert turned_away < 0.2
    assert gone == 0.0


def closed(emotion: str, confidence: float = 0.9, yaw: float = 0.0) -> FrameAnalysis:
    base = fake_analysis(emotion, confidence=confidence)
    return FrameAnalysis(face_found=True, box=(200, 100, 160, 160),
                         probabilities=base.probabilities, emotion=emotion,
                         attention=frame_attention(True, yaw, 0.0, 0.05), yaw=yaw, pitch=0.0,
                         eye_openness=0.05)


def test_a_long_blink_is_forgiven_sustained_closure_is_not():
    tracker = AttentionTracker(window=1.5)
    feed(tracker, [with_signals("neutral", 0.0)] * 15)
    blink = feed(tracker, [closed("neutral")] * 5, start=1.5)  # 0.5 s shut
    assert min(blink) > 0.95
    dozing = feed(tracker, [closed("neutral")] * 40, start=2.0)  # 4 s more
    assert dozing[-1] < 0.1


@pytest.mark.parametrize("emotion", ["happy", "sad", "surprise", "angry"])
def test_eyes_squeezed_shut_in_a_strong_emotion_are_attentive_for_a_few_seconds(emotion):
    tracker = AttentionTracker(window=1.5)
    feed(tracker, [with_signals("neutral", 0.0)] * 15)
    squeezing = feed(tracker, [closed(emotion, 0.9)] * 35, start=1.5)  # 3.5 s laughing/crying
    assert min(squeezing) > 0.95
    # The same closure without a strong emotion, or going on too long, counts.
    calm = feed(AttentionTracker(window=1.5), [closed("neutral")] * 35)
    assert calm[-1] < 0.1
    long = feed(tracker, [closed(emotion, 0.9)] * 30, start=5.0)  # now 6.5 s shut
    assert long[-1] < 0.1
    # Squeezing while turned away is still looking away.
    away = feed(AttentionTracker(window=1.5), [closed(emotion, 0.9, yaw=60.0)] * 20)
    assert away[-1] == 0.0


def test_open_eyes_reset_the_closure_clock():
    tracker = AttentionTracker(window=1.5)
    frames = ([closed("neutral")] * 5 + [with_signals("neutral", 0.0)] * 2) * 6  # blinking
    assert min(feed(tracker, frames)[5:]) > 0.95
