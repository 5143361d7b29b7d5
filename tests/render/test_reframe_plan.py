"""Reframe planning on synthetic face tracks: still in the dead zone, pans that follow lasting
moves, no reversal from noise, one subject per shot, cuts only at shot cuts, fit fallback."""

from __future__ import annotations

import numpy as np
import pytest

from render.reframe import Face, Sample, crop_size, plan_reframe, reversals

SOURCE = (1920, 1080)
VERTICAL = (9, 16)
FPS = 30.0


def track(times: np.ndarray, xs: np.ndarray, *, w: float = 120, y: float = 400) -> list[Sample]:
    return [Sample(float(t), (Face(float(x) - w / 2, y, w, w),)) for t, x in zip(times, xs, strict=True)]


def inside(plan, samples: list[Sample]) -> float:
    """Share of samples whose first face lies fully inside the planned crop."""
    crop_w, crop_h = plan.crop_size
    ok = 0
    for sample in samples:
        face = sample.faces[0]
        at = plan.crop_at(sample.t)
        ok += at is not None and at[0] <= face.x and face.x + face.w <= at[0] + crop_w
    return ok / len(samples)


def test_crop_size_is_the_largest_even_crop() -> None:
    assert crop_size(SOURCE, VERTICAL) == (606, 1080)
    assert crop_size(SOURCE, (1, 1)) == (1080, 1080)
    assert crop_size((1080, 1920), VERTICAL) == (1080, 1920)  # already vertical: no crop


def test_a_jittery_still_speaker_gets_a_still_camera_off_centre() -> None:
    rng = np.random.default_rng(3)
    times = np.arange(0, 10, 0.2)
    samples = track(times, 1500 + rng.normal(0, 10, len(times)))  # off-centre, ±10 px noise

    plan = plan_reframe(samples, [], 10.0, SOURCE, VERTICAL, FPS)

    (shot,) = plan.shots
    assert shot.layout == "track"
    assert max(shot.xs) - min(shot.xs) < 1.0  # the camera does not move at all
    assert abs(shot.xs[0] + 303 - 1500) < 606 * 0.12  # the face is near the crop's middle
    assert inside(plan, samples) == 1.0
    assert len(shot.xs) == 300  # one position per output frame


def test_a_walking_subject_is_followed_smoothly_and_stays_in_frame() -> None:
    times = np.arange(0, 8, 0.2)
    samples = track(times, 400 + 150 * times)  # 150 px/s to the right
    plan = plan_reframe(samples, [], 8.0, SOURCE, VERTICAL, FPS)

    (shot,) = plan.shots
    assert inside(plan, samples) == 1.0
    assert reversals(shot.xs) == 0
    steps = np.diff(shot.xs)
    assert steps.min() >= -1e-6 and steps.max() < 10  # forward only, no jump (px a frame)


def test_back_and_forth_noise_bigger_than_the_dead_zone_is_not_a_jitter() -> None:
    rng = np.random.default_rng(5)
    times = np.arange(0, 10, 0.2)
    # The detector flips between two positions 150 px apart on single samples (a misdetection).
    xs = np.full(len(times), 1200.0)
    xs[rng.choice(len(times), 6, replace=False)] = 1350.0
    plan = plan_reframe(track(times, xs), [], 10.0, SOURCE, VERTICAL, FPS)

    assert reversals(plan.shots[0].xs) == 0
    assert max(plan.shots[0].xs) - min(plan.shots[0].xs) < 1.0


def test_the_cut_is_the_only_jump_and_each_shot_has_its_own_subject() -> None:
    times = np.arange(0, 10, 0.2)
    xs = np.where(times < 5, 400.0, 1600.0)
    samples = track(times, xs)
    plan = plan_reframe(samples, [5.0], 10.0, SOURCE, VERTICAL, FPS)

    first, second = plan.shots
    assert (first.start, first.end, second.start, second.end) == (0.0, 5.0, 5.0, 10.0)
    assert max(first.xs) - min(first.xs) < 1 and max(second.xs) - min(second.xs) < 1
    assert second.xs[0] - first.xs[-1] > 900  # a hard cut, exactly at the shot cut
    assert inside(plan, samples) == 1.0


def test_the_subject_is_the_persistent_large_face_not_a_passer_by() -> None:
    times = np.arange(0, 6, 0.2)
    samples = []
    for t in times:
        faces = [Face(1400 - 80, 350, 160, 160)]
        if 2 <= t < 3:  # a larger face crosses for one second
            faces.append(Face(300, 300, 220, 220))
        samples.append(Sample(float(t), tuple(faces)))
    plan = plan_reframe(samples, [], 6.0, SOURCE, VERTICAL, FPS)

    (shot,) = plan.shots
    assert shot.layout == "track"
    assert all(x <= 1320 <= x + 606 - 160 for x in shot.xs)


def test_a_small_second_person_is_not_a_reason_to_fit() -> None:
    times = np.arange(0, 4, 0.2)
    samples = [Sample(float(t), (Face(1300, 300, 200, 200), Face(200, 500, 80, 80)))
               for t in times]
    plan = plan_reframe(samples, [], 4.0, SOURCE, VERTICAL, FPS)
    assert plan.shots[0].layout == "track"


def test_two_equal_people_far_apart_get_the_fit_layout() -> None:
    times = np.arange(0, 4, 0.2)
    samples = [Sample(float(t), (Face(300, 300, 180, 180), Face(1400, 300, 180, 180)))
               for t in times]
    plan = plan_reframe(samples, [], 4.0, SOURCE, VERTICAL, FPS)
    assert plan.shots[0].layout == "fit"
    assert plan.shots[0].reason == "2 faces do not fit"
    assert plan.crop_at(1.0) is None


def test_two_people_side_by_side_are_framed_together() -> None:
    times = np.arange(0, 4, 0.2)
    samples = [Sample(float(t), (Face(800, 300, 150, 150), Face(1010, 320, 150, 150)))
               for t in times]
    plan = plan_reframe(samples, [], 4.0, SOURCE, VERTICAL, FPS)
    (shot,) = plan.shots
    assert shot.layout == "track"
    x, _ = plan.crop_at(2.0)
    assert x <= 800 and 1160 <= x + 606


def test_no_face_is_the_fit_layout_per_shot() -> None:
    times = np.arange(0, 6, 0.2)
    samples = [Sample(float(t), (Face(900, 400, 150, 150),) if t < 3 else ())
               for t in times]
    plan = plan_reframe(samples, [3.0], 6.0, SOURCE, VERTICAL, FPS)
    assert [s.layout for s in plan.shots] == ["track", "fit"]
    assert plan.shots[1].reason == "no face"


def test_the_crop_never_leaves_the_frame() -> None:
    times = np.arange(0, 4, 0.2)
    plan = plan_reframe(track(times, np.full(len(times), 1900.0), w=60), [], 4.0, SOURCE,
                        VERTICAL, FPS)
    assert max(plan.shots[0].xs) == pytest.approx(1920 - 606)
    assert min(plan.shots[0].xs) >= 0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        plan_reframe([], [], 0.0, SOURCE, VERTICAL, FPS)
    with pytest.raises(ValueError):
        plan_reframe([], [], 4.0, SOURCE, VERTICAL, 0)


def lean(times: np.ndarray, start: float, hold: float, amount: float) -> np.ndarray:
    """1000 px, then a lean of ``amount`` px: 0.75 s out, ``hold`` s there, 0.75 s back."""
    out = np.clip((times - start) / 0.75, 0, 1) - np.clip((times - start - 0.75 - hold) / 0.75,
                                                          0, 1)
    return 1000.0 + amount * out


def test_a_short_lean_and_back_is_not_followed_when_the_face_stays_in_frame() -> None:
    # The speaker leans 150 px to the right for ~2 s and comes back: past the dead zone
    # (±73 px of a 606 px crop), but the face never needs the camera to come back. Following
    # it out and back would turn the camera round within 3 s: one eased move instead.
    times = np.arange(0, 10, 0.25)
    samples = track(times, lean(times, 4.0, 0.5, 150.0), w=200)
    plan = plan_reframe(samples, [], 10.0, SOURCE, VERTICAL, FPS)

    (shot,) = plan.shots
    assert reversals(shot.xs) == 0
    assert np.all(np.diff(shot.xs) >= -1e-6)
    assert inside(plan, samples) == 1.0


def test_a_lean_that_would_leave_the_crop_is_followed_and_back() -> None:
    # The same lean, 330 px: holding still would cut the face, so the camera follows it out
    # and back (the face inside the crop wins over the no-reversal rule).
    times = np.arange(0, 10, 0.25)
    samples = track(times, lean(times, 4.0, 0.5, 330.0), w=200)
    plan = plan_reframe(samples, [], 10.0, SOURCE, VERTICAL, FPS)

    (shot,) = plan.shots
    assert max(shot.xs) - min(shot.xs) > 100
    assert reversals(shot.xs) == 1
    assert inside(plan, samples) == 1.0


def test_a_lasting_move_and_return_is_followed_both_ways() -> None:
    # A move that lasts (4 s over there) is followed there and back: two separate pans.
    times = np.arange(0, 12, 0.25)
    samples = track(times, lean(times, 3.0, 4.0, 300.0), w=200)
    plan = plan_reframe(samples, [], 12.0, SOURCE, VERTICAL, FPS)
    (shot,) = plan.shots
    assert max(shot.xs) - min(shot.xs) > 150
    assert reversals(shot.xs) == 1
    assert inside(plan, samples) == 1.0


def test_a_close_up_wider_than_the_crop_is_not_followed_twitch_by_twitch() -> None:
    # A face box of 700 px in a 606 px crop cannot be kept inside; its centre wobbles by
    # ±30 px (a crying, laughing head). The camera stays on the face and still.
    rng = np.random.default_rng(7)
    times = np.arange(0, 10, 0.25)
    xs = 1200 + 30 * np.sin(2 * np.pi * times / 1.7) + rng.normal(0, 8, len(times))
    plan = plan_reframe(track(times, xs, w=700), [], 10.0, SOURCE, VERTICAL, FPS)
    (shot,) = plan.shots
    assert shot.layout == "track"
    assert reversals(shot.xs) == 0
    assert max(shot.xs) - min(shot.xs) < 30
    for t, x in zip(shot.times, shot.xs, strict=True):
        face_x = float(np.interp(t, times, xs)) - 350
        # The crop is all face (give or take the detector's noise, ±8 px here).
        assert face_x - 10 <= x and x + 606 <= face_x + 700 + 10
