"""The session chart: a pause (or a lost face) cuts a line in pieces, never the legend."""

from analysis.selectors import CHART_SERIES, emotion_chart


def test_a_gap_splits_lines_but_not_the_legend():
    times = [0, 1, 2, 3, 4, 5]
    gap = [0.2, 0.3, None, None, 0.5, 0.4]  # no face at 2–3 s (paused, or looked away)
    series = {"t": times, **{key: list(gap) for key in CHART_SERIES}}
    chart = emotion_chart(series=series, duration=6, moments=[])
    happy = [line for line in chart["lines"] if line["key"] == "happy"]
    assert len(happy) == 2  # two pieces of the happy line
    assert [item["key"] for item in chart["legend"]] == list(CHART_SERIES)  # once each


def test_no_face_at_all_is_no_chart():
    series = {"t": [0, 1, 2], **{key: [None, None, None] for key in CHART_SERIES}}
    assert emotion_chart(series=series, duration=3, moments=[]) is None
