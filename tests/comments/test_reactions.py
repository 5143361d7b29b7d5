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
