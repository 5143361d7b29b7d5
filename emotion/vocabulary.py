"""The five emotions Shortory knows, in one place (engine, models, pages and API use these).

Pure module, imported by Django at start-up: it must stay free of heavy imports. The labels are
English msgids marked for translation; Django code shows them through ``common.emotions``.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Marks a string for ``makemessages``; translation happens where it is shown."""
    return message


#: The classifier's output classes, in the order every probability vector uses.
EMOTIONS: tuple[str, ...] = ("happy", "sad", "angry", "neutral", "surprise")
#: The resting state: charted, never collected as a moment or a gallery.
RESTING = "neutral"
#: Emotions that become moments and galleries (all but the resting state).
REACTIONS: tuple[str, ...] = tuple(e for e in EMOTIONS if e != RESTING)

LABELS: dict[str, str] = {
    "happy": _("happy"),
    "sad": _("sad"),
    "angry": _("angry"),
    "neutral": _("neutral"),
    "surprise": _("surprise"),
}
ATTENTION_LABEL = _("attention")

#: The FER2013 data set's seven classes in its label order (0 angry ... 6 neutral): what the
#: fer model outputs and what a FER2013 CSV's ``emotion`` column counts.
FER2013_LABELS: tuple[str, ...] = (
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
)  # fmt: skip
#: FER2013 classes outside the five (dropped from training, renormalised away at inference).
FER2013_EXTRA: tuple[str, ...] = tuple(e for e in FER2013_LABELS if e not in EMOTIONS)
