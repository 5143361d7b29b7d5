"""The errors of :mod:`youtube`, so callers handle one family whatever the source.

Every failure leaves the package as a :class:`YouTubeError` with a user-facing English
``message``, a stable ``code`` the UI can translate, and ``permanent`` (``False``: the same call
may succeed later).
"""

from __future__ import annotations

#: Codes for which the same request may succeed later (quota, network, outage, ffmpeg).
_TRANSIENT_CODES = frozenset(
    {
        "quota_exceeded",
        "rate_limited",
        "network",
        "unavailable",
        "blocked",
        "processing",
    }
)


def is_permanent(code: str) -> bool:
    """Whether an error with ``code`` will recur if the same request is made again later."""
    return code not in _TRANSIENT_CODES


class YouTubeError(Exception):
    """Base of this package's errors.

    ``message`` is user-facing English; ``code`` is stable for translation and logic;
    ``permanent`` is ``False`` when the same request may work later (quota, network, outage);
    ``detail`` is the underlying technical text for logs and staff (never contains the API key).
    """

    def __init__(
        self, message: str, *, code: str, permanent: bool | None = None, detail: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # Unless told otherwise, whether a code is worth retrying later is a property of the code.
        self.permanent = is_permanent(code) if permanent is None else permanent
        self.detail = detail

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, permanent={self.permanent}, "
            f"message={self.message!r})"
        )


class HarvestError(YouTubeError):
    """Comments (or metadata) could not be collected.

    Codes: ``comments_disabled``, ``quota_exceeded``, ``rate_limited``, ``video_not_found``,
    ``forbidden``, ``bad_api_key``, ``network``, ``unavailable``, ``blocked``, ``unsupported``,
    ``api_error``.
    """


class DownloadError(YouTubeError):
    """A video file could not be downloaded (metadata failures are :class:`HarvestError`).

    Codes: those of :class:`HarvestError` that apply, plus ``too_long``, ``too_large``,
    ``live``, ``no_format``, ``processing`` (ffmpeg failed) and ``no_file``.
    """


def gettext_noop(message: str) -> str:
    """Marks a message for Django's `makemessages` (which looks for this name) without
    importing Django: the web app translates these English texts when it shows them."""
    return message


#: Default English message for each error code (the UI translates them; see
#: `videos.services.youtube_error_text`).
ERROR_MESSAGES: dict[str, str] = {
    "comments_disabled": gettext_noop("Comments are turned off for this video."),
    "quota_exceeded": gettext_noop(
        "Shortory has used up today's YouTube API quota. Comments can be collected again "
        "after the quota resets (midnight Pacific time)."),
    "rate_limited": gettext_noop(
        "YouTube is limiting how fast Shortory may ask. Try again in a few minutes."),
    "video_not_found": gettext_noop("YouTube says this video does not exist or has been removed."),
    "forbidden": gettext_noop(
        "YouTube does not allow access to this video (it may be private, members-only or "
        "age-restricted)."),
    "bad_api_key": gettext_noop(
        "The server's YouTube API key was refused (invalid, restricted, or the YouTube "
        "Data API is not enabled for it)."),
    "network": gettext_noop("Could not reach YouTube (network problem). Try again later."),
    "unavailable": gettext_noop("YouTube did not answer properly. Try again later."),
    "blocked": gettext_noop("YouTube asked the server to prove it is not a bot. Try again later."),
    "unsupported": gettext_noop("This link is not a video yt-dlp can read."),
    "api_error": gettext_noop("YouTube refused the request for this video's comments."),
    "too_long": gettext_noop("The video is longer than the allowed maximum."),
    "too_large": gettext_noop("The video file is larger than the allowed maximum."),
    "live": gettext_noop("Live streams and premieres that have not ended cannot be used."),
    "no_format": gettext_noop("YouTube offers no downloadable format for this video."),
    "processing": gettext_noop("The downloaded video could not be converted to MP4."),
    "no_file": gettext_noop("The download finished without producing a video file."),
}
