"""The pure crowd aggregate: one viewer's contribution, merging, adding and taking out, k."""

from __future__ import annotations

import pytest

from emotion.crowd import (
    MAX_SECONDS,
    Aggregate,
    Contribution,
    Release,
    contribution_from_samples,
    merge_contributions,
)
from emotion.moments import EmotionSample


def face(t: float, attention: float = 0.9, **probs: float) -> EmotionSample:
    base = {"happy": 0.05, "sad": 0.4, "angry": 0.05, "neutral": 0.45, "surprise": 0.05}
    base.update(probs)
    return EmotionSample(t=t, probabilities=base, attention=attention, face_found=True)


def viewer(laugh: range = range(10, 13), seconds: int = 30) -> Contribution:
    return contribution_from_samples(
        [face(t + 0.5, happy=0.9, neutral=0.05) if t in laugh else face(t + 0.5)
         for t in range(seconds)], duration=seconds)


def test_a_reaction_is_measured_against_the_viewers_own_baseline():
    c = viewer()
    assert c.seconds == 30 and all(c.seen)
    assert [i for i, v in enumerate(c.reacted["happy"]) if v] == [10, 11, 12]
    assert not any(c.reacted["sad"])  # 0.4 "sad" all along is this face at rest
    assert c.attention[0] == pytest.approx(0.9)


def test_seconds_without_a_face_are_not_seen():
    samples = [face(t + 0.5) for t in range(10)] + [
        EmotionSample(t=12.5, probabilities={}, attention=0, face_found=False)]
    c = contribution_from_samples(samples, duration=15)
    assert c.seen == [1] * 10 + [0] * 5


def test_add_then_take_out_leaves_nothing_and_k_hides_small_counts():
    counts = Aggregate.empty()
    viewers = [viewer() for _ in range(4)] + [viewer(laugh=range(0), seconds=20)]
    for c in viewers:
        counts.add(c)
    assert counts.viewers[11] == 5 and counts.viewers[25] == 4
    shown = counts.shown(min_viewers=5)
    assert shown.shares["happy"][11] == pytest.approx(0.8)  # 4 of 5 laughed
    assert shown.viewers[25] is None and shown.shares["happy"][25] is None
    assert shown.reacted_at(11, "happy") == 4
    assert shown.reacted_at(25, "happy") == 0  # nothing may be said there
    assert counts.shown(min_viewers=4).viewers[25] == 4
    for c in viewers:
        counts.add(c, sign=-1)
    assert not any(counts.viewers) and not any(counts.reacted["happy"])
    assert counts.shown(min_viewers=1).is_empty


def test_merge_keeps_one_viewer_once_per_second():
    older = viewer(laugh=range(3, 4), seconds=30)
    older = merge_contributions(older, viewer(laugh=range(20, 23), seconds=30))
    newer = viewer(laugh=range(5, 7), seconds=15)  # covers 0–15 only
    merged = merge_contributions(older, newer)
    assert merged.seen == [1] * 30
    # 0–15 from the newer session, 15–30 kept from the older one.
    assert [i for i, v in enumerate(merged.reacted["happy"]) if v] == [5, 6, 20, 21, 22]
    merged = merge_contributions(older, viewer(laugh=range(2, 3), seconds=30))
    assert [i for i, v in enumerate(merged.reacted["happy"]) if v] == [2]


def test_json_round_trip_and_hostile_lengths_are_bounded():
    c = viewer()
    assert Contribution.from_json(c.as_json()) == c
    huge = Contribution.from_json({"seen": [1] * (MAX_SECONDS + 50), "attention": "xx"[:0]})
    assert huge.seconds == MAX_SECONDS and huge.attention[-1] == 0.0
    counts = Aggregate.from_json({"viewers": [3, 1], "reacted": {"happy": [1]}})
    assert counts.reacted["happy"] == [1, 0] and counts.attention == [0.0, 0.0]
    long = contribution_from_samples([face(1e9)], duration=None)
    assert long.seconds == 0


def test_a_second_is_shown_with_k_viewers_and_hidden_below():
    """k viewers behind a second (a reader among them sees the other k - 1 as one aggregate);
    fewer: nothing of it, shares included."""
    counts = Aggregate.empty()
    for c in [viewer(seconds=30) for _ in range(4)] + [viewer(seconds=20)]:
        counts.add(c)
    assert counts.viewers[10] == 5 and counts.viewers[25] == 4
    shown = counts.shown(min_viewers=5)
    assert shown.viewers[10] == 5 and shown.shares["happy"][10] is not None
    assert shown.viewers[25] is None and shown.shares["happy"][25] is None
    assert shown.attention[25] is None


def test_release_moves_a_second_only_after_a_batch_of_distinct_viewers():
    counts, release = Aggregate.empty(), Release.from_json(None)
    counted: dict[int, list[int]] = {}

    def finish(who: int, c: Contribution) -> int:
        counts.add(c)  # (a viewer's second session is not merged here: counts are not read)
        counted[who] = release.changed(c.seen, counted.get(who, []))
        return release.publish(counts, batch=3)

    assert finish(0, viewer()) == 0 and finish(1, viewer()) == 0
    assert release.published.shown(min_viewers=1).is_empty  # two changes: nothing out yet
    assert finish(1, viewer()) == 0  # the same viewer again is not a third
    assert finish(2, viewer(seconds=20)) == 20  # seconds 0-19: three viewers changed them
    assert release.published.viewers[5] == 4 and release.published.viewers[25] == 0
    before = Release.from_json(release.as_json())
    assert before == release
    # One more viewer: 0-19 stay as they were (one change); 20-29 had changes from 0 and 1,
    # so the third distinct viewer releases them, with all three in.
    assert finish(3, viewer(laugh=range(5, 8))) == 10
    assert release.published.viewers[:20] == before.published.viewers[:20]
    assert release.published.reacted["happy"][6] == before.published.reacted["happy"][6] == 0
    assert release.published.viewers[25] == 4 and release.fresh[25] == 0
    assert release.fresh[6] == 1
    # Withdrawing a published viewer hides what they saw; their freshness stops counting.
    release.withdrawn(viewer(seconds=10).seen, counted[3])
    assert release.published.viewers[5] == 0 and release.published.viewers[15] == 4
    assert release.fresh[6] == 0
