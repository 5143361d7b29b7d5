"""The emotion vocabulary for Django code: choices and labels in the viewer's language.

The names and English labels live in :mod:`emotion.vocabulary` (pure); this module only wraps
them for models, forms, pages and the API.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from emotion.vocabulary import ATTENTION_LABEL, EMOTIONS, LABELS, REACTIONS

__all__ = ["EMOTIONS", "EMOTION_CHOICES", "REACTIONS", "emotion_label", "series_labels"]

_LAZY: dict[str, Promise] = {name: gettext_lazy(label) for name, label in LABELS.items()}
_LAZY["attention"] = gettext_lazy(ATTENTION_LABEL)

EMOTION_CHOICES: list[tuple[str, Promise]] = [(name, _LAZY[name]) for name in EMOTIONS]


def emotion_label(name: str) -> str:
    """The translated label of an emotion (or of ``attention``); unknown names as they are."""
    label = _LAZY.get(name)
    return str(label) if label is not None else name


def series_labels() -> list[dict[str, str]]:
    """``[{"key", "label"}]`` for every emotion, for charts and live meters."""
    return [{"key": name, "label": emotion_label(name)} for name in EMOTIONS]
