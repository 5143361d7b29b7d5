"""Text that is stored and shown later, in the language of whoever reads it.

A background job writes its status lines once but its owner may read them in any of the
site's languages (a page in Korean, the API in English). Such text is passed around as a
`Text`: a plain string (shown as is) or a function that builds the string with `gettext`,
which `in_all_languages` calls once per language so every rendering can be stored.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

Text = str | Callable[[], str]


def render_text(text: Text) -> str:
    """The text in the active language."""
    return str(text()) if callable(text) else str(text)


def in_all_languages(text: Text) -> dict[str, str]:
    """``{language code: text}`` for every language of the site (empty for a plain string,
    which has only the one rendering it was given)."""
    if not callable(text):
        return {}
    rendered = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            rendered[code] = str(text())
    return rendered


def pick_language(rendered: dict[str, str] | None, fallback: str) -> str:
    """The rendering for the active language, else `fallback`."""
    if rendered:
        language = translation.get_language() or settings.LANGUAGE_CODE
        for code in (language, language.split("-")[0]):
            if code in rendered:
                return rendered[code]
    return fallback
