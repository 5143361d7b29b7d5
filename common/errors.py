"""The error every service raises when a user should read the reason."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A failure whose message is meant for the user (shown on the page and in the API).

    ``extra`` carries machine-readable details, e.g. ``{"field": "url"}`` for the form field
    the message belongs to; the API returns it as ``{"message": ..., "extra": {...}}``.
    """

    def __init__(self, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
