"""The five emotions Shortory knows, in one place (engine, models, pages and API use these).

Pure module. The labels are English msgids marked for translation; Django code shows them
through ``common.emotions`` (lazy, in the viewer's language).
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
