"""Comment text as a reaction signal: laughter and emotion cues -> an emotion label.

Pure module (no Django). A small lexicon in Korean, English and Indonesian ("ㅋㅋㅋ", "ㅠㅠ",
"대박", "lol", "😂", "goosebumps", "wkwk" …) gives each comment the emotions it expresses
with a strength, and a comment moment the emotion most of its evidence texts share. The
labels are the five of ``emotion.vocabulary`` (never the resting one). Rules and measured
precision: docs/fusion.md ("Comment reactions").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Only the start of a comment is read (hostile input is bounded before any regex runs).
MAX_TEXT = 2000
#: A moment is labelled when the cue strengths of its texts, summed per emotion and divided by
#: the number of texts, reach this (e.g. one clear "ㅋㅋㅋ" among three texts does not).
MIN_MOMENT_STRENGTH = 0.4


@dataclass(frozen=True)
class Reaction:
    """The emotion a text or a moment expresses, ``strength`` in (0, 1]."""

    emotion: str
    strength: float


def _latin(*words: str) -> str:
    """Whole-word alternatives for scripts with word boundaries."""
    return r"(?<![^\W_])(?:" + "|".join(words) + r")(?![^\W_])"


# (compiled pattern, emotion, strength). Korean jamo runs grow stronger with length.
_LEXICON: list[tuple[re.Pattern[str], str, float]] = [
    # laughter
    (re.compile(r"ㅋ{5,}"), "happy", 1.0),
    (re.compile(r"ㅋ{3,4}"), "happy", 0.8),
    (re.compile(r"ㅋㅋ"), "happy", 0.5),
    (re.compile(r"ㅎ{3,}"), "happy", 0.6),
    (re.compile(r"ㅎㅎ"), "happy", 0.4),
    (re.compile(r"개웃|존웃|웃겨|웃기|웃김|웃음|빵터|터졌"), "happy", 0.9),
    (re.compile(r"존잼|꿀잼|개잼"), "happy", 0.8),
    (re.compile(_latin(r"lo+l+", r"lmf?a+o+", r"rofl", r"ha(?:ha)+h?", r"he(?:he)+",
                       r"hilarious", r"dying", r"i'?m dead", r"so funny", r"funniest",
                       r"laugh(?:ed|ing)?"), re.I), "happy", 0.9),
    (re.compile(_latin(r"w+k+w+k+[wk]*", r"k+w+k+w+[wk]*", r"a?wok(?:awok)+", r"ngakak", r"kocak", r"lucu+", r"ketawa", r"xixixi+"),
                re.I), "happy", 0.9),
    (re.compile("[\U0001F602\U0001F923\U0001F606\U0001F639\U0001F480]"), "happy", 0.9),  # 😂 🤣 😆 😹 💀
    (re.compile("[\U0001F604\U0001F601\U0001F60A\U0001F970]"), "happy", 0.5),  # 😄 😁 😊 🥰
    # crying / moved
    (re.compile(r"[ㅠㅜ]{2,}"), "sad", 0.8),
    (re.compile(r"눈물|울었|울컥|슬프|슬퍼|찡하"), "sad", 0.9),
    (re.compile(_latin(r"crying", r"cried", r"tears?", r"so sad", r"heartbreaking",
                       r"heartbroken", r"sedih", r"nangis", r"mewek", r"terharu"), re.I),
     "sad", 0.9),
    (re.compile("[\U0001F62D\U0001F622\U0001F97A\U0001F494]"), "sad", 0.7),  # 😭 😢 🥺 💔
    # surprise / awe
    (re.compile(r"대박|소름|미쳤|ㄷㄷ|(?<![가-힣])(?:헐|와우?)(?![가-힣])"), "surprise", 0.8),
    (re.compile(_latin(r"goosebumps", r"chills", r"omg", r"oh my god", r"no way", r"wtf",
                       r"what the", r"insane", r"screamed", r"heart stopped", r"unbelievable", r"mind ?blown",
                       r"merinding", r"anjir+", r"anjay", r"anjrit", r"gila+", r"gokil",
                       r"astaga"), re.I), "surprise", 0.8),
    (re.compile("[\U0001F631\U0001F62E\U0001F92F\U0001F632]"), "surprise", 0.8),  # 😱 😮 🤯 😲
    # anger
    (re.compile(r"빡치|빡쳐|화나|화난|열받|짜증"), "angry", 0.8),
    (re.compile(_latin(r"so angry", r"pissed", r"infuriating", r"furious", r"kesel",
                       r"kesal", r"marah", r"emosi"), re.I), "angry", 0.8),
    (re.compile("[\U0001F621\U0001F620\U0001F92C]"), "angry", 0.8),  # 😡 😠 🤬
]


#: A text that says the moment is *not* funny (or sad) loses that emotion, whatever laughter
#: it also holds: "ㅋㅋ 노잼" and "not even funny lol" are sarcasm, "안 웃김", "gak lucu" negate.
#: Precision first: "노잼인 줄 알았는데 개웃김" loses its laugh too (a miss, not a wrong label).
_NEGATIONS: list[tuple[re.Pattern[str], str]] = [
    # 안 as a word of its own ("동안 웃음" is a laugh); "안 웃으려 했는데", "안 웃을 수가 없다"
    # are laughs despite the 안.
    (re.compile(r"노잼|재미\s?없|(?<![가-힣])안\s?(?:웃(?!으려|을\s?수)|재밌)|"
                r"웃기지도?\s?않|웃기진\s?않"), "happy"),
    (re.compile(_latin(r"not (?:even |that |very |so )?funny", r"(?:is|was)n'?t funny",
                       r"unfunny", r"(?:gak|ga|gk|nggak|ngga|enggak|engga|tidak|tak|kagak|ora)"
                       r" (?:lucu+|ngakak|kocak)", r"garing"), re.I), "happy"),
    (re.compile(r"(?<![가-힣])안\s?슬[프퍼]|슬프지도?\s?않"), "sad"),
    (re.compile(_latin(r"not (?:even |that |very |so )?sad", r"(?:is|was)n'?t sad",
                       r"(?:gak|ga|gk|nggak|ngga|enggak|tidak|tak|kagak) (?:sedih|nangis)"),
                re.I), "sad"),
]


def text_reactions(text: str) -> dict[str, float]:
    """Each emotion a comment's text expresses, with the strongest cue's strength (none for an
    emotion the text negates)."""
    head = (text or "")[:MAX_TEXT]
    found: dict[str, float] = {}
    for pattern, emotion, strength in _LEXICON:
        if strength > found.get(emotion, 0.0) and pattern.search(head):
            found[emotion] = strength
    for pattern, emotion in _NEGATIONS:
        if emotion in found and pattern.search(head):
            del found[emotion]
    return found


def text_reaction(text: str) -> Reaction | None:
    """The one emotion a text expresses most strongly (ties: the lexicon's order)."""
    found = text_reactions(text)
    if not found:
        return None
    emotion = max(found, key=lambda e: found[e])
    return Reaction(emotion=emotion, strength=found[emotion])


def moment_reaction(texts: Iterable[str], *,
                    min_strength: float = MIN_MOMENT_STRENGTH) -> Reaction | None:
    """The emotion a comment moment's evidence texts share: per emotion, the summed cue
    strength divided by the number of texts; the best one if it reaches ``min_strength``."""
    texts = list(texts)
    if not texts:
        return None
    totals: dict[str, float] = {}
    for text in texts:
        for emotion, strength in text_reactions(text).items():
            totals[emotion] = totals.get(emotion, 0.0) + strength
    if not totals:
        return None
    emotion = max(totals, key=lambda e: totals[e])
    strength = round(totals[emotion] / len(texts), 4)
    return Reaction(emotion=emotion, strength=strength) if strength >= min_strength else None
