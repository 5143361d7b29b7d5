"""The pure fused ranking: per-video normalisation, weights, agreement, one-signal equivalence."""

from __future__ import annotations

import pytest

from fusion import Signal, fuse, heatmap_series, series_value


def test_one_signal_ranks_exactly_as_it_does_alone():
    scores = [9.0, 7.5, 7.5, 3.0, 1.0]
    fused = fuse([10, 50, 90, 130, 170], [], {"comments": 1.0},
                 scores={"comments": scores})
    assert [f.index for f in fused] == [0, 1, 2, 3, 4]
    assert fused[0].score == 1.0 and fused[0].agreeing == ("comments",)
    # A signal with nothing to say about this video takes no part.
    silent = fuse([10, 50, 90, 130, 170], [Signal("heatmap", [None] * 200)],
                  {"comments": 1.0, "heatmap": 1.0}, scores={"comments": scores})
    assert [f.index for f in silent] == [0, 1, 2, 3, 4]
    assert [f.score for f in silent] == [f.score for f in fused]


def test_no_signal_dominates_by_its_scale():
    peaks = [10, 50]
    heat = [0.0] * 100
    heat[50] = 1.0
    heat[10] = 0.2
    weights = {"comments": 1.0, "heatmap": 1.0}
    small = fuse(peaks, [Signal("heatmap", heat)], weights, scores={"comments": [3.0, 2.0]})
    large = fuse(peaks, [Signal("heatmap", [v * 1000 for v in heat])], weights,
                 scores={"comments": [3000.0, 2000.0]})
    assert [f.index for f in small] == [f.index for f in large] == [1, 0]
    assert [f.score for f in small] == pytest.approx([f.score for f in large])
    assert small[0].agreeing == ("comments", "heatmap")
    assert small[1].agreeing == ("comments",)
    # Weights are plain arguments: heavier comments put the comment winner back on top.
    heavy = fuse(peaks, [Signal("heatmap", heat)], {"comments": 3.0, "heatmap": 1.0},
                 scores={"comments": [3.0, 2.0]})
    assert [f.index for f in heavy] == [0, 1]
    off = fuse(peaks, [Signal("heatmap", heat)], {"comments": 1.0, "heatmap": 0.0},
               scores={"comments": [3.0, 2.0]})
    assert [f.index for f in off] == [0, 1] and "heatmap" not in off[0].values


def test_a_signal_near_the_peak_counts_and_gaps_are_silent():
    crowd = [None] * 60
    crowd[33] = 0.6
    assert series_value(crowd, 31) == 0.6  # within ±2 s
    assert series_value(crowd, 36) is None
    fused = fuse([31, 10], [Signal("crowd", crowd)], {"comments": 1.0, "crowd": 1.0},
                 scores={"comments": [1.0, 1.0]})
    assert [f.index for f in fused] == [0, 1]
    assert fused[0].agreeing == ("comments", "crowd") and fused[1].values["crowd"] == 0.0


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="unknown signal"):
        Signal("horoscope", [1.0])
    with pytest.raises(ValueError, match="one score per candidate"):
        fuse([1, 2], [], {"comments": 1}, scores={"comments": [1.0]})


def test_heatmap_segments_become_seconds():
    heat = heatmap_series([{"start_time": 0, "end_time": 2.5, "value": 0.2},
                           {"start_time": 2.5, "end_time": 5, "value": 1.0},
                           {"start_time": "x", "end_time": 1, "value": 9}, "junk"], duration=5)
    assert heat == [0.2, 0.2, 1.0, 1.0, 1.0]
    assert heatmap_series(None, duration=5) == []
    assert len(heatmap_series([{"start_time": 0, "end_time": 1e12, "value": 1}],
                              duration=None)) == 6 * 3600
