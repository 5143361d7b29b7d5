"""Database ids from request text (query strings, form fields)."""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1  # a bigint primary key


def parse_id(value: str | None) -> int | None:
    """A positive id, or None: ASCII digits only (``"²"`` passes ``str.isdigit`` but not
    ``int``; ``"١٢"`` is no id either), and small enough for the column."""
    if value is None or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
