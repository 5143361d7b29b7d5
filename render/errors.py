"""The one exception type of the package, kept apart so every module can raise it."""

from __future__ import annotations


class MediaError(Exception):
    """A media file cannot be used or a clip cannot be rendered.

    ``str(error)`` is a complete sentence that can be shown to the user as it is; details for
    operators go to the log.
    """
