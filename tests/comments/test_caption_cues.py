"""Caption cues: which tags count, per-second storage, the bonus near a peak."""

from __future__ import annotations

import pytest

from comments.caption_cues import CUE_BONUS, cue_bonus, cue_kinds, cues_near, find_cues


@pytest.mark.parametrize(("text", "kinds"), [
    ("[Laughter]", {"laughter"}),
    ("(laughs) that was great", {"laughter"}),
    ("[Applause]", {"applause"}),
    ("[Music]", {"music"}),
    ("♪ la la ♪", {"music"}),
    ("[웃음]", {"laughter"}),
    ("(박수)", {"applause"}),
    ("[음악]", {"music"}),
    ("[박수 소리] [웃음]", {"applause", "laughter"}),
    ("he said laughter is medicine", set()),
    ("[inaudible]", set()),
    ("(잠시 후)", set()),
])
def test_tags_in_english_and_korean(text: str, kinds: set[str]) -> None:
    assert cue_kinds(text) == kinds


def test_cues_are_stored_per_second() -> None:
    cues = find_cues([(10.2, 12.1, "[Laughter]"), (11.0, 11.5, "[웃음]"), (30.0, 31.0, "hi"),
                      (40.0, 40.4, "[Applause]"), (5.0, 4.0, "[Music]")])
    assert cues == {"laughter": [10, 11, 12], "applause": [40]}


def test_the_bonus_is_small_and_only_near_the_peak() -> None:
    cues = {"laughter": [100, 101], "music": [300]}
    assert cues_near(cues, 104) == ["laughter"]
    assert cue_bonus(cues, 104) == CUE_BONUS["laughter"] == 0.15
    assert cue_bonus(cues, 107) == 0.0
    assert cue_bonus(cues, 302) == 0.05
    assert cue_bonus(None, 100) == 0.0
    assert sum(CUE_BONUS.values()) < 1.0  # all together less than one comment's vote


def test_cues_break_a_tie_between_equal_comment_moments_but_never_beat_a_vote() -> None:
    from comments.ranking import Mention, rank_comment_moments

    mentions = [Mention(comment_id=f"c{i}", author=f"a{i}", seconds=s)
                for i, s in enumerate([100, 100, 300, 300])]
    plain = rank_comment_moments(mentions, duration=600, top_k=2)
    assert [m.peak for m in plain] == [100, 300]  # a tie: the earlier first
    cued = rank_comment_moments(mentions, duration=600, top_k=2, cues={"laughter": [302]})
    assert [m.peak for m in cued] == [300, 100]
    assert cued[0].caption_cues == ["laughter"] and cued[1].caption_cues == []
    assert cued[0].score == pytest.approx(plain[1].score + 0.15)
    # One more comment outweighs every cue together.
    more = mentions + [Mention(comment_id="c9", author="a9", seconds=100)]
    ranked = rank_comment_moments(more, duration=600, top_k=2,
                                  cues={"laughter": [300], "applause": [300], "music": [300]})
    assert ranked[0].peak == 100
