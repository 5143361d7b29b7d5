"""Comment texts as YouTube sends them: HTML (``textFormat=html``) → plain text.

Pure module, the one place that strips comment HTML. :func:`html_to_text` removes tags, turns
``<br>`` (and ``<p>``, ``<div>``, ``<li>``) into line breaks, unescapes entities *after* the
tags are parsed (so ``&lt;a&gt;`` typed by a user stays text, not a tag) and says where every
link's text ended up in the result, so the timestamp extractor can read YouTube's timestamp
anchors. :func:`html_to_plain_text` is the display version; :func:`looks_like_html` says
whether a text carries markup at all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = ["Anchor", "html_to_plain_text", "html_to_text", "looks_like_html", "storable"]


def storable(text: str) -> str:
    """``text`` without NUL characters. PostgreSQL's text and jsonb cannot hold NUL, so one NUL
    in a harvested comment, title or chapter name (a JSON ``\\u0000`` escape gets it past the
    binary-file check) would fail the whole harvest there; forms and the API refuse NUL
    themselves."""
    return text.replace("\x00", "") if "\x00" in text else text


# A tag: "<a href=...>", "</b>", "<br/>". "<3" or "a < b" is text, not a tag.
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^<>]*)>")
_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# Tags that end a line (opening or closing).
_BLOCK_TAGS = frozenset({"br", "p", "div", "li"})

# What says "this is YouTube HTML": the tags YouTube (or a page saved from it) puts in comments,
# and the entities its HTML escapes with. A plain text may contain "<3" or "R&D" but not these.
_HTML_HINT_RE = re.compile(
    r"<(?:a\s|/a>|br\s*/?>|b>|/b>|i>|/i>|s>|/s>|u>|/u>|p>|/p>|span|/span>|div|/div>|strong>|em>)"
    r"|&(?:amp|lt|gt|quot|apos|nbsp|#\d{1,6}|#x[0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a link's text lies in the plain text: ``text[start:end]``.

    ``href`` is the link's target with entities unescaped (``&amp;t=643`` → ``&t=643``), ``""``
    when the tag has none.
    """

    start: int
    end: int
    href: str


def looks_like_html(text: str) -> bool:
    """Whether a comment text carries HTML markup (tags YouTube uses) or HTML entities."""
    return bool(_HTML_HINT_RE.search(text))


def html_to_text(text: str) -> tuple[str, list[Anchor]]:
    """Comment HTML → (plain text, the links in it in order).

    Tags are dropped, block tags become ``"\\n"``, entities are unescaped piece by piece between
    the tags. Only closed links are reported; a link opened inside another one replaces it.
    """
    out: list[str] = []
    length = 0
    anchors: list[Anchor] = []
    open_anchor: tuple[int, str] | None = None  # (start offset, href)
    pos = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += len(chunk)

    for match in _TAG_RE.finditer(text):
        emit(html.unescape(text[pos : match.start()]))
        pos = match.end()
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name == "a" and not closing:
            open_anchor = (length, _href(attrs))
        elif name == "a":
            if open_anchor is not None:
                anchors.append(Anchor(open_anchor[0], length, open_anchor[1]))
            open_anchor = None
        elif name in _BLOCK_TAGS:
            emit("\n")
    emit(html.unescape(text[pos:]))
    return "".join(out), anchors


def html_to_plain_text(text: str) -> str:
    """YouTube comment HTML → plain text for display (line breaks kept, tags dropped).

    The result is text, not markup: a page must still escape it.
    """
    return html_to_text(text)[0]


def _href(attrs: str) -> str:
    match = _HREF_RE.search(attrs)
    if match is None:
        return ""
    value = next((group for group in match.groups() if group is not None), "")
    return html.unescape(value)
