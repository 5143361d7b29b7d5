"""The comment-reaction lexicon in Korean, English and Indonesian, and moment labels."""

from __future__ import annotations

import pytest

from comments.reactions import MAX_TEXT, moment_reaction, text_reaction, text_reactions


@pytest.mark.parametrize(("text", "emotion"), [
    # Korean
    ("3:07 ㅋㅋㅋㅋㅋ 미친", "happy"),
    ("10:43 여기서 빵터짐", "happy"),
    ("ㅎㅎㅎ 2:10 귀여워", "happy"),
    ("5:12 ㅠㅠㅠ 눈물나", "sad"),
    ("12:01 ㅜㅜ", "sad"),
    ("대박 4:44", "surprise"),
    ("7:30 소름 돋았다", "surprise"),
    ("헐 1:11", "surprise"),
    ("2:22 진짜 빡치네", "angry"),
    # English
    ("3:07 lol", "happy"),
    ("LMAO 1:02:33", "happy"),
    ("the way he said 'nope' at 3:07 😂😂", "happy"),
    ("hahaha 0:45", "happy"),
    ("9:15 i'm crying 😭", "sad"),
    ("goosebumps at 4:20", "surprise"),
    ("2:15 no way 🤯", "surprise"),
    ("6:00 this is infuriating", "angry"),
    ("bro at 9:09 💀💀", "happy"),
    ("3:20 made me laugh so hard", "happy"),
    ("12:30 I literally screamed", "surprise"),
    # Indonesian
    ("wkwkwk 2:11", "happy"),
    ("ngakak parah 3:33", "happy"),
    ("anjir 5:55 keren", "surprise"),
    ("merinding di 8:08", "surprise"),
    ("4:04 sedih banget", "sad"),
    ("1:23 kesel liatnya", "angry"),
    ("10:10 dan 12:12 lucu", "happy"),
    ("3:45 bikin ketawa sendiri", "happy"),
])
def test_cues_in_three_languages(text, emotion):
    reaction = text_reaction(text)
    assert reaction is not None and reaction.emotion == emotion
    assert 0 < reaction.strength <= 1


@pytest.mark.parametrize("text", [
    "10:43 legend", "2:30 the chorus", "lollipop at 1:00", "사과와 배 3:00", "헐렁한 옷 2:00",
    "a toll road 3:33", "chapter 4:00 intro", "", "check 5:00 walker",
])
def test_no_cue_no_label(text):
    assert text_reaction(text) is None


def test_longer_laughter_is_stronger():
    assert text_reactions("ㅋㅋ")["happy"] < text_reactions("ㅋㅋㅋ")["happy"] < text_reactions(
        "ㅋㅋㅋㅋㅋㅋ")["happy"]


def test_a_moment_takes_the_emotion_its_texts_share():
    laughing = moment_reaction(["3:07 ㅋㅋㅋㅋ", "3:08 lol", "3:07 the face"])
    assert laughing is not None and laughing.emotion == "happy"
    assert laughing.strength == pytest.approx((0.8 + 0.9) / 3, abs=1e-4)
    # One weak cue among many plain texts does not label the moment.
    assert moment_reaction(["2:00 ㅋㅋ", "2:01 here", "2:02 this part"]) is None
    assert moment_reaction([]) is None
    mixed = moment_reaction(["ㅠㅠ", "ㅠㅠ 4:00", "lol 4:01"])
    assert mixed is not None and mixed.emotion == "sad"


def test_hostile_text_is_bounded():
    assert text_reaction("a" * 10_000_000 + " lol") is None  # only the start is read
    assert text_reaction("ㅋ" * MAX_TEXT * 50) is not None


@pytest.mark.parametrize(("text", "emotion"), [
    # Real-looking lines: timestamps first, spacing dropped, slang.
    ("15:20 존잼ㅋㅋㅋ", "happy"),
    ("4:04 존잼", "happy"),
    ("6:06 안웃으려 했는데 ㅋㅋㅋㅋㅋ", "happy"),  # tried not to laugh: still a laugh
    ("1:00 이건 안 웃을 수가 없닼ㅋㅋ", "happy"),
    ("0:12 안 울었는데 눈물이", "sad"),
    ("8:08 kwkwkwk", "happy"),
    ("9:19 awokawokawok", "happy"),
    ("lucu ga sih 2:00 wkwk", "happy"),  # "funny, right?": the ga is not a negation here
    ("5:05 안경 벗는 거 ㅋㅋㅋ", "happy"),  # 안경 (glasses) is not 안
    ("15분 동안 웃음", "happy"),  # nor is the end of 동안 (during)
])
def test_real_looking_lines(text, emotion):
    reaction = text_reaction(text)
    assert reaction is not None and reaction.emotion == emotion


@pytest.mark.parametrize("text", [
    # Sarcasm and negation: the laugh is about how unfunny it is.
    "3:45 ㅋㅋ 노잼", "10:22 노잼ㅋㅋㅋ", "4:00 개노잼 ㅋㅋ", "1:05 안 웃김", "5:30 하나도 안웃겨",
    "3:00 ㅋㅋㅋ 별로 안 웃긴데", "2:02 웃기지도 않네 ㅋㅋ", "2:33 재미없다 ㅋㅋ",
    "2:30 gak lucu sama sekali", "3:45 ga lucu wkwk", "4:20 nggak lucu", "5:00 ga ngakak sih",
    "2:15 garing banget wkwk", "1:00 not even funny lol", "0:30 this isn't funny 😂",
])
def test_negated_or_sarcastic_laughter_is_not_happy(text):
    assert "happy" not in text_reactions(text)


def test_negated_sadness_is_not_sad_but_other_cues_stay():
    assert "sad" not in text_reactions("3:33 하나도 안 슬퍼")
    assert "sad" not in text_reactions("2:00 ini gak sedih kok")
    assert text_reactions("7:07 not sad at all, goosebumps")["surprise"] == 0.8
    # A moment whose texts laugh at how unfunny it is gets no happy label.
    assert moment_reaction(["3:45 ㅋㅋㅋ 노잼", "3:46 노잼ㅋㅋ", "3:45 ㅋㅋ 개노잼"]) is None
