"""The comment_files package: its re-exports, and the import direction among pure packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import comment_files
import comments.text

ROOT = Path(__file__).resolve().parents[2]

# Every name imported from comment_files anywhere in the repository.
USED_NAMES = [
    "CommentFileError",
    "HarvestedComment",
    "MAX_AUTHOR_CHARS",
    "MAX_COMMENTS",
    "MAX_FILE_BYTES",
    "MAX_ID_CHARS",
    "MAX_TEXT_CHARS",
    "comment_from_ytdlp",
    "comments_from_api_thread",
    "dedupe_comments",
    "html_to_plain_text",
    "parse_comments_file",
    "parse_count",
    "parse_published",
]


@pytest.mark.parametrize("name", USED_NAMES)
def test_public_names_are_importable_from_the_package(name: str) -> None:
    assert name in comment_files.__all__
    assert getattr(comment_files, name) is not None


def test_all_lists_only_existing_names() -> None:
    for name in comment_files.__all__:
        assert hasattr(comment_files, name), name


def test_html_helpers_are_the_ones_of_comments_text() -> None:
    assert comment_files.html_to_plain_text is comments.text.html_to_plain_text
    assert comment_files.looks_like_html is comments.text.looks_like_html


def test_html_to_plain_text() -> None:
    html = '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=643">10:43</a> can&#39;t<br>next &amp; <b>bold</b>'
    assert comment_files.html_to_plain_text(html) == "10:43 can't\nnext & bold"


def _imported_top_level(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("comments", {"comment_files", "youtube", "django"}),
        ("comment_files", {"youtube", "django"}),
    ],
)
def test_import_direction(package: str, forbidden: set[str]) -> None:
    """timeline ← comments ← comment_files ← youtube, all without Django."""
    assert _imported_top_level(package).isdisjoint(forbidden)
