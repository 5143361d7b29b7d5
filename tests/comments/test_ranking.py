"""Ranking properties of comment moments on synthetic mentions."""

from __future__ import annotations

import random

import pytest

from comments.ranking import (
    Mention,
    heatmap_value_at,
    mention_histogram,
    mentions_from_comments,
    rank_comment_moments,
)


def crowd(second: int, n: int, *, tag: str, likes: int = 0) -> list[Mention]:
    """``n`` comments by ``n`` different authors, each naming ``second`` once."""
    return [
        Mention(f"{tag}-c{i}", f"{tag}-author{i}", second, likes, f"{second}s!") for i in range(n)
    ]


def chapter_index(seconds: list[int], *, likes: int = 0) -> list[Mention]:
    return [Mention("chapters", "uploader", s, likes, "chapters") for s in seconds]


def flat_heatmap(duration: int, value: float = 0.1, bumps: dict[int, float] | None = None):
    segments = []
    size = duration / 100
    for i in range(100):
        start, end = i * size, (i + 1) * size
        v = value
        for second, bump in (bumps or {}).items():
            if start <= second < end:
                v = bump
        segments.append({"start_time": start, "end_time": end, "value": v})
    return segments


# ---------------------------------------------------------------------------------------------
# Comment moments
# ---------------------------------------------------------------------------------------------
def test_chapter_index_does_not_dominate() -> None:
    chapters = chapter_index([0, 60, 120, 180, 240, 300, 360, 420, 480, 540], likes=20_000)
    genuine = crowd(305, 1, tag="a") + crowd(425, 1, tag="b")
    # A liked chapter index against single, unliked reactions elsewhere.
    moments = rank_comment_moments(
        chapters + genuine + crowd(200, 1, tag="c"), duration=600, top_k=10
    )
    top3 = [m.peak for m in moments[:3]]
    assert sorted(top3) == [200, 305, 425]
    # Where the index and a reaction coincide, the moment gets one vote each, not ten.
    at_300 = next(m for m in moments if m.start <= 300 <= m.end)
    assert at_300.mention_count == 2
    chapter_only = [m for m in moments if m.mention_count == 1 and m.peak % 60 == 0]
    assert chapter_only and all(m.score < moments[2].score for m in chapter_only)


def test_two_places_in_one_comment_keep_full_votes_but_ten_do_not() -> None:
    two = [Mention("x", "ann", 100), Mention("x", "ann", 400)]
    one = [Mention("y", "bob", 250)]
    by_peak = {m.peak: m.score for m in rank_comment_moments(two + one, duration=600)}
    assert by_peak[100] == pytest.approx(by_peak[250])
    assert by_peak[400] == pytest.approx(by_peak[250])


def test_a_range_in_one_comment_is_one_place_and_one_vote() -> None:
    ranged = [Mention("r", "ann", 130), Mention("r", "ann", 134)]  # "2:10-2:14"
    moments = rank_comment_moments(ranged + crowd(400, 1, tag="b"), duration=600)
    assert [m.mention_count for m in moments] == [1, 1]
    assert moments[0].score == pytest.approx(moments[1].score)


def test_distinct_authors_beat_one_author_repeating() -> None:
    spammer = [Mention(f"s{i}", "same-author", 200, 0, f"200! ({i})") for i in range(8)]
    two_people = crowd(400, 2, tag="p")
    moments = rank_comment_moments(spammer + two_people, duration=600)
    assert [m.peak for m in moments] == [400, 200]
    assert moments[1].mention_count == 8
    assert moments[1].distinct_authors == 1
    assert moments[0].distinct_authors == 2
    # Repeats still count a little: more than one comment by that author.
    single = rank_comment_moments(spammer[:1], duration=600)[0]
    assert single.score < moments[1].score < moments[0].score


def test_one_vote_per_comment_per_moment() -> None:
    repeated = [Mention("c1", "ann", s) for s in (100, 101, 102)]
    moments = rank_comment_moments(repeated + crowd(300, 1, tag="b"), duration=600)
    first = next(m for m in moments if m.peak in (100, 101, 102))
    other = next(m for m in moments if m.peak == 300)
    assert first.mention_count == 1
    assert first.score == pytest.approx(other.score)  # three nearby times, still one vote


def test_peak_is_the_most_cited_second() -> None:
    mentions = crowd(100, 3, tag="a") + crowd(103, 1, tag="b") + crowd(97, 2, tag="c")
    (moment,) = rank_comment_moments(mentions, duration=600)
    assert moment.peak == 100
    assert moment.mention_count == 6
    assert (moment.start, moment.end) == (90.0, 110.0)


def test_windows_clamp_at_zero_and_duration() -> None:
    mentions = crowd(3, 2, tag="a") + crowd(598, 1, tag="b")
    moments = rank_comment_moments(mentions, duration=600, before=10, after=10)
    assert (moments[0].peak, moments[0].start, moments[0].end) == (3, 0.0, 13.0)
    assert (moments[1].peak, moments[1].start, moments[1].end) == (598, 588.0, 600.0)
    custom = rank_comment_moments(mentions, duration=600, before=2, after=30)
    assert (custom[0].start, custom[0].end) == (1.0, 33.0)


def test_mentions_beyond_duration_are_ignored() -> None:
    mentions = crowd(700, 5, tag="late") + crowd(100, 1, tag="ok")
    moments = rank_comment_moments(mentions, duration=600)
    assert [m.peak for m in moments] == [100]


def test_no_unbounded_chaining() -> None:
    # One comment every 3 s for a minute: density everywhere, but no single giant moment.
    mentions = [Mention(f"c{s}", f"a{s}", s) for s in range(100, 161, 3)]
    moments = rank_comment_moments(mentions, duration=600, top_k=5)
    assert len(moments) >= 2
    for moment in moments:
        assert moment.end - moment.start <= 40
    # Grouping alone (no merging: tiny windows) never spans more than 2 × window.
    narrow = rank_comment_moments(mentions, duration=600, top_k=50, before=0, after=0)
    assert len(narrow) >= 6
    for moment in narrow:
        assert moment.mention_count <= 4  # at most ±5 s around a seed at 3 s spacing


def test_nearby_moments_are_separated_never_merged() -> None:
    mentions = (
        crowd(100, 3, tag="a", likes=5) + crowd(112, 2, tag="b", likes=50) + crowd(300, 1, tag="c")
    )
    moments = rank_comment_moments(mentions, duration=600)
    assert [(m.peak, m.start, m.end) for m in moments] == [
        (100, 90.0, 110.0), (112, 110.0, 130.0), (300, 290.0, 310.0)]
    assert [m.mention_count for m in moments] == [3, 2, 1]
    assert [c["likes"] for c in moments[1].top_comments] == [50, 50]
    assert set(moments[0].top_comments[0]) == {"comment_id", "author", "text", "likes"}
    # A mention inside (or a second beside) a better clip is evidence for it: same window.
    inside = rank_comment_moments(crowd(100, 3, tag="a") + crowd(106, 2, tag="b")
                                  + crowd(111, 1, tag="c"), duration=600)
    assert [(m.peak, m.start, m.end, m.mention_count) for m in inside] == [(100, 90.0, 110.0, 6)]
    # Far apart: two ordinary clips.
    apart = rank_comment_moments(crowd(100, 3, tag="a") + crowd(150, 2, tag="b"), duration=600)
    assert [(m.start, m.end) for m in apart] == [(90.0, 110.0), (140.0, 160.0)]


@pytest.mark.parametrize("seed", range(20))
def test_every_window_is_exactly_before_plus_after_and_none_overlap(seed: int) -> None:
    rng = random.Random(seed)
    duration = rng.choice([90, 300, 1200])
    mentions = []
    for i in range(rng.randint(5, 80)):
        second = rng.randint(0, duration)
        mentions.append(Mention(f"c{i}", f"a{rng.randint(0, 30)}", second, rng.randint(0, 500),
                                f"{second}"))
    if rng.random() < 0.5:
        mentions += chapter_index(sorted(rng.sample(range(duration), 8)))
    before, after = rng.choice([(10, 10), (5, 15), (3, 3)])
    moments = rank_comment_moments(mentions, duration=duration, top_k=rng.randint(1, 10),
                                   before=before, after=after)
    assert moments
    for m in moments:
        assert m.start <= m.peak <= m.end
        if before <= m.peak <= duration - after:
            assert m.end - m.start == pytest.approx(before + after)
        assert m.end - m.start <= before + after
        assert 0 <= m.start and m.end <= duration
    spans = sorted((m.start, m.end) for m in moments)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_one_author_posting_the_same_text_twice_counts_and_shows_once() -> None:
    mentions = [Mention("x1", "ann", 100, 3, "1:40 lol"), Mention("x2", "ann", 100, 9, "1:40  LOL"),
                Mention("y", "bob", 100, 1, "1:40 lol")]
    (moment,) = rank_comment_moments(mentions, duration=600)
    assert moment.mention_count == 2
    assert [c["comment_id"] for c in moment.top_comments] == ["x2", "y"]
    alone = rank_comment_moments([Mention("y", "bob", 100, 1, "1:40 lol")], duration=600)
    assert moment.score > alone[0].score
    assert moment.score == rank_comment_moments(list(reversed(mentions)), duration=600)[0].score


def test_a_chapter_list_counts_once_and_never_leads() -> None:
    chapters = chapter_index([0, 60, 120, 180, 240], likes=90_000)
    genuine = crowd(120, 2, tag="r", likes=1)
    moments = rank_comment_moments(chapters + genuine, duration=600, top_k=10)
    at_120 = next(m for m in moments if m.peak == 120)
    assert at_120.top_comments[0]["comment_id"] != "chapters"
    assert at_120.top_comments[-1]["comment_id"] == "chapters"
    assert moments[0].peak == 120
    # Its five places share one vote (with its likes boost) between them.
    others = [m.score for m in moments if m.peak != 120]
    assert sum(others) == pytest.approx(4 / 5 * (1 + 0.25 * 4), abs=1e-6)


def test_heatmap_breaks_a_tie_and_is_reported() -> None:
    mentions = crowd(100, 2, tag="a") + crowd(400, 2, tag="b")
    no_heat = rank_comment_moments(mentions, duration=600)
    assert [m.peak for m in no_heat] == [100, 400]
    assert all(m.heatmap_value is None for m in no_heat)

    heat = flat_heatmap(600, 0.1, {400: 0.9})
    with_heat = rank_comment_moments(mentions, duration=600, heatmap=heat)
    assert [m.peak for m in with_heat] == [400, 100]
    assert with_heat[0].heatmap_value == pytest.approx(0.9)
    assert with_heat[1].heatmap_value == pytest.approx(0.1)


def test_heatmap_is_only_a_small_bonus() -> None:
    mentions = crowd(100, 3, tag="a") + crowd(400, 2, tag="b")
    heat = flat_heatmap(600, 0.0, {400: 1.0})
    moments = rank_comment_moments(mentions, duration=600, heatmap=heat)
    assert [m.peak for m in moments] == [100, 400]  # one more comment beats "most replayed"


def test_top_k_and_order() -> None:
    mentions = []
    for rank, second in enumerate([50, 150, 250, 350, 450, 550, 590]):
        mentions += crowd(second, 8 - rank, tag=f"t{second}")
    moments = rank_comment_moments(mentions, duration=600, top_k=5)
    assert [m.peak for m in moments] == [50, 150, 250, 350, 450]
    assert [m.mention_count for m in moments] == [8, 7, 6, 5, 4]
    scores = [m.score for m in moments]
    assert scores == sorted(scores, reverse=True)


def test_likes_raise_a_vote_but_are_capped() -> None:
    viral = [Mention("v", "ann", 100, 10_000_000, "this")]
    crowd3 = crowd(400, 3, tag="c")
    moments = rank_comment_moments(viral + crowd3, duration=600)
    assert [m.peak for m in moments] == [400, 100]
    liked = rank_comment_moments(
        [Mention("l", "ann", 100, 1000)] + crowd(400, 1, tag="x"), duration=600
    )
    assert liked[0].peak == 100


def test_deterministic_and_independent_of_input_order() -> None:
    rng = random.Random(7)
    mentions = []
    for i in range(300):
        second = rng.choice([30, 31, 33, 120, 121, 250, 251, 252, 400, 401, 555])
        mentions.append(Mention(f"c{i}", f"a{rng.randrange(120)}", second, rng.randrange(50)))
    first = rank_comment_moments(mentions, duration=600, heatmap=flat_heatmap(600))
    for _ in range(3):
        shuffled = mentions[:]
        rng.shuffle(shuffled)
        assert rank_comment_moments(shuffled, duration=600, heatmap=flat_heatmap(600)) == first


def test_empty_input() -> None:
    assert rank_comment_moments([], duration=600) == []
    assert rank_comment_moments(crowd(10, 2, tag="a"), duration=600, top_k=0) == []


def test_heatmap_value_at() -> None:
    heat = [
        {"start_time": 0.0, "end_time": 10.0, "value": 0.2},
        {"start_time": 10.0, "end_time": 20.0, "value": 1.0},
    ]
    assert heatmap_value_at(heat, 5) == 0.2
    assert heatmap_value_at(heat, 10) == 1.0
    assert heatmap_value_at(heat, 20) == 1.0
    assert heatmap_value_at(heat, 25) is None
    assert heatmap_value_at(None, 5) is None
    assert heatmap_value_at([{"start_time": "x"}], 5) is None


def test_mention_histogram() -> None:
    mentions = crowd(0, 2, tag="a") + crowd(599, 3, tag="b") + crowd(300, 1, tag="c")
    mentions += [Mention("a-c0", "a-author0", 0)]  # same comment, same second: once
    mentions += crowd(700, 4, tag="late")
    counts = mention_histogram(mentions, duration=600, bins=10)
    assert counts == [2, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert len(mention_histogram(mentions, duration=600)) == 100
    assert sum(mention_histogram(mentions, duration=None, bins=7)) == 10


def test_mentions_from_comments_dedupes_within_a_comment() -> None:
    comments = [
        ("c1", "ann", "10:43 legend, 10:43 again and 1:00", 12),
        ("c2", "bob", "no timestamps", 3),
        ("c3", "cat", "59:00 is past the end", 0),
    ]
    mentions = mentions_from_comments(comments, duration=1200)
    assert mentions == [
        Mention("c1", "ann", 643, 12, "10:43 legend, 10:43 again and 1:00"),
        Mention("c1", "ann", 60, 12, "10:43 legend, 10:43 again and 1:00"),
    ]


def test_end_to_end_from_comment_text() -> None:
    comments = [(f"c{i}", f"u{i}", "10:43 legend", i) for i in range(4)]
    comments += [("idx", "up", "0:00 intro 2:00 a 4:00 b 6:00 c 8:00 d 10:40 e 12:00 f", 900)]
    comments += [("x", "v", "3:07 his face", 1)]
    moments = rank_comment_moments(mentions_from_comments(comments, duration=900), duration=900)
    assert moments[0].peak == 643
    assert moments[0].mention_count == 5  # the index's 10:40 joins, once
    assert moments[1].peak == 187


# ---------------------------------------------------------------------------------------------
# Emotion moments
# ---------------------------------------------------------------------------------------------



