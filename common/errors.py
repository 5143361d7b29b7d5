"""The error every service raises when a user should read the reason."""

from __future__ import annotations

from collections.abc import Callable
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
        #: How to say it again in another language (set by `later`), for stored errors.
        self.text: Callable[[], str] | None = None

    @classmethod
    def later(cls, text: Callable[[], str], extra: dict[str, Any] | None = None
              ) -> ApplicationError:
        """An error whose message can be rendered in every language (see `common.i18n`):
        `text` builds it with gettext; a background job stores each rendering."""
        error = cls(str(text()), extra)
        error.text = text
        return error
