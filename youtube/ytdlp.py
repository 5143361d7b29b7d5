"""yt-dlp without downloading: comments (no API key needed) and a video's metadata.

Also the yt-dlp plumbing that :mod:`youtube.download` shares: base options, the
``YoutubeDL`` factory tests replace, and the mapping of yt-dlp failures to our errors. Current
YouTube pages need yt-dlp's JavaScript challenge solving (a JS runtime such as deno) to list
every format; without it metadata and comments still work.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from comment_files import HarvestedComment, comment_from_ytdlp, dedupe_comments
from comments.text import storable

from .errors import ERROR_MESSAGES, HarvestError, YouTubeError, is_permanent
from .urls import canonical_url, is_video_id, parse_video_id

logger = logging.getLogger(__name__)

YTDLP_TIMEOUT_S = 30.0
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")

_E = TypeVar("_E", bound=YouTubeError)


class YoutubeDLLike(Protocol):
    """What this package uses of ``yt_dlp.YoutubeDL`` (tests pass stand-ins)."""

    def __enter__(self) -> YoutubeDLLike: ...

    def __exit__(self, *exc: object) -> object: ...

    def extract_info(self, url: str, download: bool = ...) -> dict[str, Any] | None: ...


#: Makes the ``YoutubeDL`` for a dict of options (default: ``yt_dlp.YoutubeDL``).
YdlFactory = Callable[[dict[str, Any]], YoutubeDLLike]


class _YtDlpLogger:
    """Routes yt-dlp's output to logging instead of the terminal."""

    def debug(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        logger.info("yt-dlp warning: %s", msg)

    def error(self, msg: str) -> None:
        # yt-dlp raises right after reporting; the exception is what we act on and log.
        logger.debug("yt-dlp error: %s", msg)


def base_options(socket_timeout: float) -> dict[str, Any]:
    """Options every yt-dlp call starts from: quiet, logged, one video, all-or-nothing."""
    return {
        "quiet": True,
        "noprogress": True,
        "logger": _YtDlpLogger(),
        "noplaylist": True,  # a watch?v=…&list=… link means the one video
        "socket_timeout": socket_timeout,
        "retries": 3,
        "extractor_retries": 2,
        "ignoreerrors": False,  # all-or-nothing: an error must surface, not be skipped
        "consoletitle": False,
    }


def new_ydl(options: dict[str, Any], factory: YdlFactory | None) -> YoutubeDLLike:
    """A ``YoutubeDL`` for ``options``, made by ``factory`` when given (tests)."""
    if factory is not None:
        return factory(options)
    import yt_dlp

    return yt_dlp.YoutubeDL(options)


def error_from_ytdlp(exc: BaseException, error_class: type[_E]) -> _E:
    """Map a yt-dlp failure to our error with a user-facing message."""
    from yt_dlp.networking.exceptions import HTTPError as YtHTTPError
    from yt_dlp.networking.exceptions import TransportError
    from yt_dlp.utils import GeoRestrictedError, PostProcessingError, UnsupportedError

    chain: list[BaseException] = [exc]
    exc_info = getattr(exc, "exc_info", None)
    if exc_info and len(exc_info) > 1 and isinstance(exc_info[1], BaseException):
        chain.append(exc_info[1])
    for _ in range(4):  # follow ExtractorError.cause / __cause__ a few levels
        last = chain[-1]
        nxt = getattr(last, "cause", None) or last.__cause__
        if not isinstance(nxt, BaseException) or nxt in chain:
            break
        chain.append(nxt)
    text = _ANSI_RE.sub("", " | ".join(str(e) for e in chain)).replace("\u2019", "'")
    lowered = text.lower()
    detail = text.removeprefix("ERROR: ")[:500]

    def has(cls: type[BaseException]) -> bool:
        return any(isinstance(e, cls) for e in chain)

    http_status = next((e.status for e in chain if isinstance(e, YtHTTPError)), None)
    if has(GeoRestrictedError) or "not available in your country" in lowered:
        code = "forbidden"
        message = "This video is not available in the server's country."
    elif has(UnsupportedError) or "unsupported url" in lowered:
        code, message = "unsupported", ERROR_MESSAGES["unsupported"]
    elif "not a bot" in lowered:
        code, message = "blocked", ERROR_MESSAGES["blocked"]
    elif "comments are turned off" in lowered or "comments disabled" in lowered:
        code, message = "comments_disabled", ERROR_MESSAGES["comments_disabled"]
    elif "private video" in lowered or "video is private" in lowered:
        code, message = "forbidden", "This video is private."
    elif (
        "confirm your age" in lowered or "age-restricted" in lowered or "age restricted" in lowered
    ):
        code, message = (
            "forbidden",
            "This video is age-restricted; YouTube only shows it to signed-in adults.",
        )
    elif "members" in lowered and ("only" in lowered or "join this channel" in lowered):
        code, message = "forbidden", "This video is for channel members only."
    elif (
        "live event will begin" in lowered or "premieres in" in lowered or "is_upcoming" in lowered
    ):
        code, message = "live", ERROR_MESSAGES["live"]
    elif http_status in (404, 410):
        code, message = "video_not_found", "The video was not found (HTTP 404)."
    elif http_status == 403:
        code, message = "forbidden", ERROR_MESSAGES["forbidden"]
    elif http_status == 429:
        code, message = "rate_limited", ERROR_MESSAGES["rate_limited"]
    elif http_status is not None and http_status >= 500:
        code, message = "unavailable", ERROR_MESSAGES["unavailable"]
    elif has(TransportError) or any(
        s in lowered
        for s in (
            "timed out",
            "connection refused",
            "connection reset",
            "name or service not known",
            "temporary failure in name resolution",
            "network is unreachable",
            "urlopen error",
        )
    ):
        code, message = "network", ERROR_MESSAGES["network"]
    elif (
        "video unavailable" in lowered
        or "has been removed" in lowered
        or "does not exist" in lowered
    ):
        code, message = "video_not_found", ERROR_MESSAGES["video_not_found"]
    elif "requested format is not available" in lowered or "no video formats found" in lowered:
        code, message = "no_format", ERROR_MESSAGES["no_format"]
    elif has(PostProcessingError):
        code, message = "processing", ERROR_MESSAGES["processing"]
    else:
        code, message = "unavailable", ERROR_MESSAGES["unavailable"]
    return error_class(message, code=code, permanent=is_permanent(code), detail=detail)


def fetch_comments_ytdlp(
    video_id_or_url: str,
    *,
    max_comments: int = 2000,
    include_replies: bool = True,
    max_replies_per_thread: int = 5,
    socket_timeout: float = YTDLP_TIMEOUT_S,
    ydl_factory: YdlFactory | None = None,
) -> list[HarvestedComment]:
    """Collect a video's comments with yt-dlp (no API key needed), top comments first.

    Takes a video id or any YouTube link; it always fetches ``canonical_url(id)``. The number
    of comments is bounded by yt-dlp's ``max_comments`` extractor argument
    (``max_comments, all parents, replies, max_replies_per_thread``), so scraping stops at the
    cap instead of walking the whole section. Texts are plain (``is_html=False``) and
    ``published_at`` is estimated from "2 years ago". ``ydl_factory(options)`` replaces
    ``yt_dlp.YoutubeDL`` (tests). Raises :class:`HarvestError`.
    """
    video_id = video_id_or_url if is_video_id(video_id_or_url) else parse_video_id(video_id_or_url)
    if max_comments < 1:
        raise ValueError("max_comments must be at least 1")
    replies = str(max_comments) if include_replies else "0"
    per_thread = str(max(0, max_replies_per_thread)) if include_replies else "0"
    options = {
        **base_options(socket_timeout),
        "skip_download": True,
        "getcomments": True,
        # Comments must not fail because no format could be resolved (YouTube's player changes).
        "ignore_no_formats_error": True,
        "extractor_args": {
            "youtube": {
                "max_comments": [str(max_comments), "all", replies, per_thread],
                "comment_sort": ["top"],
            }
        },
    }
    try:
        with new_ydl(options, ydl_factory) as ydl:
            info = ydl.extract_info(canonical_url(video_id), download=False)
    except YouTubeError:
        raise
    except Exception as exc:  # yt-dlp's DownloadError and anything its extractors let through
        error = error_from_ytdlp(exc, HarvestError)
        logger.warning(
            "yt-dlp comment extraction of %s failed (%s): %s", video_id, error.code, error.detail
        )
        raise error from exc
    raw = (info or {}).get("comments")
    if raw is None:
        # yt-dlp reports a disabled comment section as comments=None (an empty one is []).
        raise HarvestError(
            ERROR_MESSAGES["comments_disabled"],
            code="comments_disabled",
            permanent=True,
            detail="yt-dlp: comments=None",
        )
    comments = dedupe_comments(
        c for c in (comment_from_ytdlp(e) for e in raw if isinstance(e, dict)) if c
    )
    comments = [c for c in comments if c.comment_id][:max_comments]
    logger.info("Collected %d comments of %s with yt-dlp", len(comments), video_id)
    return comments


@dataclass(slots=True)
class VideoMetadata:
    """What yt-dlp knows about a video, normalised.

    ``chapters`` is a list of ``{"start_time", "end_time", "title"}``; ``heatmap`` (YouTube's
    "Most replayed") a list of ``{"start_time", "end_time", "value"}`` with ``value`` in 0–1,
    usually 100 segments, or ``None`` when YouTube shows none.
    """

    video_id: str
    title: str
    duration: float | None
    thumbnail_url: str
    chapters: list[dict[str, Any]] = field(default_factory=list)
    heatmap: list[dict[str, Any]] | None = None
    uploader: str = ""
    channel_id: str = ""
    upload_date: date | None = None
    view_count: int | None = None
    like_count: int | None = None
    comment_count: int | None = None
    is_live: bool = False
    width: int | None = None
    height: int | None = None
    webpage_url: str = ""
    extractor: str = ""


def fetch_metadata(
    url: str,
    *,
    socket_timeout: float = YTDLP_TIMEOUT_S,
    ydl_factory: YdlFactory | None = None,
) -> VideoMetadata:
    """Title, duration, thumbnail, chapters and heatmap of a video, via yt-dlp (no download).

    Production callers pass ``canonical_url(video_id)`` only (see :mod:`youtube`).
    Raises :class:`HarvestError` (metadata is collected information, like comments; no file is
    involved), with the same codes as the other yt-dlp calls.
    """
    options = {
        **base_options(socket_timeout),
        "skip_download": True,
        "ignore_no_formats_error": True,
    }
    try:
        with new_ydl(options, ydl_factory) as ydl:
            info = ydl.extract_info(url, download=False)
    except YouTubeError:
        raise
    except Exception as exc:
        error = error_from_ytdlp(exc, HarvestError)
        logger.warning("yt-dlp metadata of %s failed (%s): %s", url, error.code, error.detail)
        raise error from exc
    if info and info.get("_type") in ("playlist", "multi_video"):
        entries = [e for e in info.get("entries") or [] if e]
        if not entries:
            raise HarvestError(
                ERROR_MESSAGES["unsupported"],
                code="unsupported",
                permanent=True,
                detail="empty playlist",
            )
        info = entries[0]
    return _metadata_from_info(info or {})


def _metadata_from_info(info: dict[str, Any]) -> VideoMetadata:
    duration = float_or_none(info.get("duration"))
    chapters = []
    for chapter in info.get("chapters") or []:
        start = float_or_none(chapter.get("start_time"))
        end = float_or_none(chapter.get("end_time"))
        if start is None or end is None or end <= start:
            continue
        chapters.append(
            {
                "start_time": start,
                "end_time": end,
                "title": storable(str(chapter.get("title") or "")),
            }
        )
    heatmap = []
    for segment in info.get("heatmap") or []:
        start = float_or_none(segment.get("start_time"))
        end = float_or_none(segment.get("end_time"))
        value = float_or_none(segment.get("value"))
        if start is None or end is None or value is None or end <= start:
            continue
        heatmap.append({"start_time": start, "end_time": end, "value": min(max(value, 0.0), 1.0)})
    heatmap.sort(key=lambda s: s["start_time"])
    thumbnail = info.get("thumbnail") or ""
    if not isinstance(thumbnail, str) or not thumbnail.startswith(("https://", "http://")):
        thumbnail = ""
    upload_date = None
    raw_date = info.get("upload_date")
    if isinstance(raw_date, str) and re.fullmatch(r"\d{8}", raw_date):
        try:
            upload_date = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
        except ValueError:
            upload_date = None
    return VideoMetadata(
        video_id=storable(str(info.get("id") or "")),
        title=storable(str(info.get("title") or "")),
        duration=duration,
        thumbnail_url=thumbnail,
        chapters=chapters,
        heatmap=heatmap or None,
        uploader=storable(str(info.get("uploader") or info.get("channel") or "")),
        channel_id=storable(str(info.get("channel_id") or "")),
        upload_date=upload_date,
        view_count=_int_or_none(info.get("view_count")),
        like_count=_int_or_none(info.get("like_count")),
        comment_count=_int_or_none(info.get("comment_count")),
        is_live=bool(info.get("is_live")) or info.get("live_status") in ("is_live", "is_upcoming"),
        width=_int_or_none(info.get("width")),
        height=_int_or_none(info.get("height")),
        webpage_url=str(info.get("webpage_url") or ""),
        extractor=str(info.get("extractor_key") or info.get("extractor") or ""),
    )


def float_or_none(value: Any) -> float | None:
    """A finite number from a value of yt-dlp's info (a number or numeric text), else ``None``
    (booleans, NaN and infinities included)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int_or_none(value: Any) -> int | None:
    number = float_or_none(value)
    return int(number) if number is not None else None
