"""comments.text: YouTube comment HTML → plain text, with where the links ended up."""

from __future__ import annotations

import pytest

from comments.text import Anchor, html_to_plain_text, html_to_text, looks_like_html

WATCH = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def test_anchors_are_located_in_the_plain_text() -> None:
    html = (
        f'Best part <a href="{WATCH}&amp;t=643">10:43</a> and '
        f"<b><a href='{WATCH}#t=1m5s'>1:05</a></b>!<br>"
        '<a href="https://www.youtube.com/@someone">@someone</a>'
    )
    text, anchors = html_to_text(html)
    assert text == "Best part 10:43 and 1:05!\n@someone"
    assert anchors == [
        Anchor(10, 15, f"{WATCH}&t=643"),  # the href's entities are unescaped
        Anchor(20, 24, f"{WATCH}#t=1m5s"),
        Anchor(26, 34, "https://www.youtube.com/@someone"),
    ]
    assert [text[a.start : a.end] for a in anchors] == ["10:43", "1:05", "@someone"]


def test_anchor_offsets_count_unescaped_entities() -> None:
    # "&quot;no&quot; " is 15 characters of HTML but 5 of text: offsets are in the text.
    text, anchors = html_to_text('&quot;no&quot; <a href="?t=3">0:03</a>')
    assert text == '"no" 0:03'
    assert anchors == [Anchor(5, 9, "?t=3")]


def test_anchor_without_href_unquoted_href_and_unclosed_anchor() -> None:
    text, anchors = html_to_text("<a>x</a> <A HREF=?t=9 class=y>9</A> <a href='?t=1'>open")
    assert text == "x 9 open"
    # An anchor that is never closed is not reported.
    assert anchors == [Anchor(0, 1, ""), Anchor(2, 3, "?t=9")]


def test_entities_typed_literally_stay_text() -> None:
    # A user who types "<a href=...>" in a comment gets it escaped by YouTube; unescaping
    # happens after the tags are parsed, so it stays text and is no link.
    html = "&lt;a href=&quot;x&quot;&gt;2:00&lt;/a&gt; &amp;amp; &lt;3 &#39;quoted&#x27;"
    text, anchors = html_to_text(html)
    assert text == "<a href=\"x\">2:00</a> &amp; <3 'quoted'"
    assert anchors == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("one<br>two<br/>three<br />four<BR>five", "one\ntwo\nthree\nfour\nfive"),
        ("line<br><br>gap", "line\n\ngap"),
        ("<p>para</p>x<div>d</div><li>i", "\npara\nx\nd\n\ni"),
        ("<b>bold</b> <i>it</i> <s>gone</s> <span class=x>s</span>", "bold it gone s"),
        ("I <3 you & me > them", "I <3 you & me > them"),  # not tags, not entities
        ("caf&eacute; &nbsp;x &#128512;", "café \xa0x 😀"),
        ("", ""),
    ],
)
def test_html_to_plain_text(html: str, expected: str) -> None:
    assert html_to_plain_text(html) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'<a href="{WATCH}&amp;t=643">10:43</a>', True),
        ("first line<br>second", True),
        ("<b>bold</b>", True),
        ("can&#39;t", True),
        ("Tom &amp; Jerry", True),
        ("&#x27;hex&#X27;", True),
        ("10:43 legend", False),
        ("I <3 this", False),
        ("R&D, AT&T; a < b > c", False),
        ("&hellip; is not one of YouTube's", False),
        ("", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
