"""Everything Shortory asks of YouTube: URL parsing, comments, metadata and video download.

This is the only module in the product that talks to YouTube (or to the network at all).
It is pure — no Django — and every failure leaves it as a :class:`YouTubeError` subclass with a
user-facing English ``message``, a stable ``code`` the UI can translate, and ``permanent``
(``False`` means the same call may succeed later).

**URLs and SSRF.** :func:`parse_video_id` accepts only the YouTube hosts in
:data:`YOUTUBE_HOSTS` and reduces a link to its 11-character id. Services must then fetch
``canonical_url(video_id)`` — never the text a user typed — so the server only ever requests
``https://www.youtube.com/watch?v=<id>``. :func:`fetch_comments_api` and
:func:`fetch_comments_ytdlp` enforce that themselves (they take an id). :func:`fetch_metadata` and
:func:`download_video` take a URL so that tests can point them at a server on 127.0.0.1; in
production they must only be given ``canonical_url(...)``.

**Comments.** With an API key, :func:`fetch_comments_api` pages through
``commentThreads.list`` (``order=relevance``: ``time`` order gives ~20 threads a page and costs
several times the quota; ``textFormat=html`` keeps YouTube's timestamp anchors such as
``<a href="...&amp;t=643">10:43</a>``). Replies come from ``replies.comments``, which the API
fills with only a few replies per thread (up to 5); we do not spend one more request per thread
on ``comments.list`` for the rest. Without a key, :func:`fetch_comments_ytdlp` scrapes the same
comments with yt-dlp (plain text, like counts, estimated times). Both are all-or-nothing: they
return every comment up to the cap, or raise :class:`HarvestError`; never half a harvest.

**Video.** :func:`download_video` asks yt-dlp for H.264/AAC MP4 up to ``max_height`` (merged with
imageio-ffmpeg's ffmpeg), enforces the duration and size limits, reports progress, writes the
file under a generated name, and leaves no partial files behind on failure.

Note: current YouTube pages need yt-dlp's JavaScript challenge solving (an external JS runtime
such as deno) to list every format; without it yt-dlp still gets metadata and comments, and
downloads may fall back to fewer formats. Tests never reach YouTube.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from comment_files import (
    HarvestedComment,
    comment_from_ytdlp,
    comments_from_api_thread,
    dedupe_comments,
)
from timeline import clock, parse_t_param

logger = logging.getLogger(__name__)

__all__ = [
    "YOUTUBE_HOSTS",
    "DownloadError",
    "ERROR_MESSAGES",
    "HarvestError",
    "HarvestedComment",
    "InvalidYouTubeURL",
    "VideoMetadata",
    "YouTubeError",
    "YouTubeURL",
    "canonical_url",
    "download_video",
    "fetch_comments_api",
    "fetch_comments_ytdlp",
    "fetch_metadata",
    "is_video_id",
    "parse_start_time",
    "parse_video_id",
    "parse_youtube_url",
]

# ============================================================================================
# URLs

#: Exact host names accepted. Exact matching is what keeps out look-alikes such as
#: ``youtube.com.evil.com`` or ``evilyoutube.com``.
YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtu.be",
        "www.youtu.be",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
# Path prefixes followed by the id: /shorts/ID, /live/ID, /embed/ID, /v/ID, /e/ID.
_ID_PATH_PREFIXES = frozenset({"shorts", "live", "embed", "v", "e"})
_CHANNEL_PREFIXES = frozenset({"channel", "c", "user"})
_VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
# "643", "643s", "10m43s", "1h2m3s", "1h", "10:43", "1:02:03"
_MAX_URL_CHARS = 2048


class InvalidYouTubeURL(ValueError):
    """A link Shortory cannot use. ``str(exc)`` is a message for the user; ``code`` is stable
    (``empty``, ``too_long``, ``scheme``, ``not_youtube``, ``playlist``, ``channel``,
    ``not_video``)."""

    def __init__(self, message: str, *, code: str = "not_video") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class YouTubeURL:
    """What a YouTube link says: the video and, if the link has ``t=``, where to start."""

    video_id: str
    start_time: int | None = None


def is_video_id(value: object) -> bool:
    """Whether ``value`` has the shape of a YouTube video id (11 of ``A-Z a-z 0-9 _ -``)."""
    return isinstance(value, str) and _VIDEO_ID_RE.fullmatch(value) is not None


def canonical_url(video_id: str) -> str:
    """The one URL the server fetches for a video: ``https://www.youtube.com/watch?v=<id>``."""
    if not is_video_id(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    return f"https://www.youtube.com/watch?v={video_id}"


def parse_youtube_url(url: str) -> YouTubeURL:
    """Parse any common YouTube video link; raise :class:`InvalidYouTubeURL` for anything else.

    Accepted: ``watch?v=`` (``v`` anywhere in the query), ``youtu.be/ID``, ``/shorts/``,
    ``/live/``, ``/embed/``, ``/v/``, ``/e/``; hosts ``www.``, ``m.``, ``music.``, bare
    ``youtube.com`` and ``youtube-nocookie.com``; with or without ``http(s)://``; extra query
    parameters (``si=``, ``feature=``, ``list=`` next to ``v=``) and ``t=``/``start=`` (query or
    fragment). A bare id is not a link and is refused (use :func:`is_video_id` for that).
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidYouTubeURL("Paste a link to a YouTube video.", code="empty")
    raw = url.strip()
    if len(raw) > _MAX_URL_CHARS:
        raise InvalidYouTubeURL(
            "That link is too long to be a YouTube video link.", code="too_long"
        )
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in raw):
        raise InvalidYouTubeURL(_NOT_YOUTUBE, code="not_youtube")

    if "://" not in raw:
        if raw.startswith("//"):
            raw = "https:" + raw
        elif re.match(r"[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", raw):
            # "javascript:…", "data:…", "mailto:…" — a scheme, not "host:port".
            raise InvalidYouTubeURL(_ONLY_HTTP, code="scheme")
        else:
            raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise InvalidYouTubeURL(_NOT_YOUTUBE, code="not_youtube") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidYouTubeURL(_ONLY_HTTP, code="scheme")
    host = (parts.hostname or "").rstrip(".")
    if "@" in parts.netloc or port not in (None, 80, 443) or host not in YOUTUBE_HOSTS:
        raise InvalidYouTubeURL(_NOT_YOUTUBE, code="not_youtube")

    query = parse_qs(parts.query, keep_blank_values=True)
    fragment = parse_qs(parts.fragment, keep_blank_values=True)
    segments = [s for s in parts.path.split("/") if s]
    if host in _SHORT_HOSTS:
        candidate = segments[0] if len(segments) == 1 else None
    elif not segments or segments == ["watch"]:
        candidate = (query.get("v") or [None])[0]
        if candidate is None and "list" in query:
            raise InvalidYouTubeURL(_PLAYLIST, code="playlist")
    elif segments[0] in _ID_PATH_PREFIXES and len(segments) == 2:
        candidate = segments[1]
        if candidate == "videoseries":
            raise InvalidYouTubeURL(_PLAYLIST, code="playlist")
    elif segments[0] == "playlist":
        raise InvalidYouTubeURL(_PLAYLIST, code="playlist")
    elif segments[0] in _CHANNEL_PREFIXES or segments[0].startswith("@"):
        raise InvalidYouTubeURL(
            "That is a channel link. Paste a link to a single video.", code="channel"
        )
    else:
        candidate = None
    if candidate is None or not is_video_id(candidate):
        raise InvalidYouTubeURL(
            "That YouTube link does not point to a video (no valid 11-character video id).",
            code="not_video",
        )
    start = parse_t_param(
        (query.get("t") or query.get("start") or fragment.get("t") or [""])[0]
    )
    return YouTubeURL(video_id=candidate, start_time=start)


_NOT_YOUTUBE = "That is not a YouTube link. Paste a video link from youtube.com or youtu.be."
_ONLY_HTTP = "Only web links (https://…) to YouTube videos can be used."
_PLAYLIST = "That is a playlist link. Open one video of the playlist and paste that link."


def parse_video_id(url: str) -> str:
    """The 11-character video id of a YouTube link (see :func:`parse_youtube_url`)."""
    return parse_youtube_url(url).video_id


def parse_start_time(url: str) -> int | None:
    """Seconds from a link's ``t=``/``start=`` (``643``, ``643s``, ``10m43s``, ``1h2m3s``), or
    ``None`` when there is none or the link is not a valid YouTube video link."""
    try:
        return parse_youtube_url(url).start_time
    except InvalidYouTubeURL:
        return None


# ============================================================================================
# Errors


class YouTubeError(Exception):
    """Base of this module's errors.

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
        self.permanent = _permanent(code) if permanent is None else permanent
        self.detail = detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, permanent={self.permanent}, message={self.message!r})"


class HarvestError(YouTubeError):
    """Comments could not be collected.

    Codes: ``comments_disabled``, ``quota_exceeded``, ``rate_limited``, ``video_not_found``,
    ``forbidden``, ``bad_api_key``, ``network``, ``unavailable``, ``blocked``, ``unsupported``,
    ``api_error``.
    """


class DownloadError(YouTubeError):
    """A video file could not be downloaded (metadata failures are :class:`HarvestError`).

    Codes: those of :class:`HarvestError` that apply, plus ``too_long``, ``too_large``,
    ``live``, ``no_format``, ``processing`` (ffmpeg failed) and ``no_file``.
    """


#: Default English message for each error code (the UI may translate by code instead).
ERROR_MESSAGES: dict[str, str] = {
    "comments_disabled": "Comments are turned off for this video.",
    "quota_exceeded": (
        "Shortory has used up today's YouTube API quota. Comments can be collected again after "
        "the quota resets (midnight Pacific time)."
    ),
    "rate_limited": "YouTube is limiting how fast Shortory may ask. Try again in a few minutes.",
    "video_not_found": "YouTube says this video does not exist or has been removed.",
    "forbidden": "YouTube does not allow access to this video (it may be private, members-only or age-restricted).",
    "bad_api_key": (
        "The server's YouTube API key was refused (invalid, restricted, or the YouTube Data API "
        "is not enabled for it)."
    ),
    "network": "Could not reach YouTube (network problem). Try again later.",
    "unavailable": "YouTube did not answer properly. Try again later.",
    "blocked": "YouTube asked the server to prove it is not a bot. Try again later.",
    "unsupported": "This link is not a video yt-dlp can read.",
    "api_error": "YouTube refused the request for this video's comments.",
    "too_long": "The video is longer than the allowed maximum.",
    "too_large": "The video file is larger than the allowed maximum.",
    "live": "Live streams and premieres that have not ended cannot be used.",
    "no_format": "YouTube offers no downloadable format for this video.",
    "processing": "The downloaded video could not be converted to MP4.",
    "no_file": "The download finished without producing a video file.",
}


def _permanent(code: str) -> bool:
    return code not in {
        "quota_exceeded",
        "rate_limited",
        "network",
        "unavailable",
        "blocked",
        "processing",
    }


# ============================================================================================
# YouTube Data API

#: Reasons the API gives for errors worth retrying after a pause.
_TRANSIENT_REASONS = frozenset(
    {
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "backendError",
        "internalError",
        "processingFailure",
    }
)
_BAD_KEY_REASONS = frozenset(
    {
        "keyInvalid",
        "keyExpired",
        "API_KEY_INVALID",
        "API_KEY_EXPIRED",
        "accessNotConfigured",
        "SERVICE_DISABLED",
        "API_KEY_SERVICE_BLOCKED",
        "ipRefererBlocked",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        "API_KEY_IP_ADDRESS_BLOCKED",
    }
)
_API_PAGE_SIZE = 100
_API_TIMEOUT_S = 30.0


class _RedactApiKey(logging.Filter):
    """Blanks ``key=…`` in records of google-api-python-client, which logs every request URL
    (API key included) at DEBUG level."""

    _KEY_RE = re.compile(r"([?&]key=)[^&\s#'\"]+")

    @classmethod
    def redact(cls, text: str) -> str:
        return cls._KEY_RE.sub(r"\1REDACTED", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message:
            record.msg = self.redact(message)
            record.args = None
        return True


for _name in ("googleapiclient.discovery", "googleapiclient.http"):
    _client_logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactApiKey) for f in _client_logger.filters):
        _client_logger.addFilter(_RedactApiKey())


def _default_backoff(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): 1, 2, 4 … s plus jitter, ≤ 30 s."""
    return min(30.0, 2.0**attempt) + random.uniform(0, 0.5)  # jitter only: no need for a CSPRNG


def fetch_comments_api(
    video_id: str,
    *,
    api_key: str,
    max_comments: int = 5000,
    include_replies: bool = True,
    http: Any = None,
    on_progress: Callable[[int], None] | None = None,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    backoff: Callable[[int], float] = _default_backoff,
) -> list[HarvestedComment]:
    """Collect a video's comments through the YouTube Data API v3, most relevant first.

    Pages through ``commentThreads.list`` (``part=snippet,replies``, ``maxResults=100``,
    ``order=relevance``, ``textFormat=html``) until there is no ``nextPageToken`` or
    ``max_comments`` comments (top-level and inline replies together) have been collected.
    Texts are YouTube HTML (``is_html=True``). ``on_progress(collected)`` is called after each
    page with the number of comments collected so far (at most ``max_comments``). Transient
    failures (5xx, rate limits, network) are retried up to ``retries`` times, waiting
    ``backoff(attempt)`` seconds through ``sleep``; anything else raises :class:`HarvestError`
    at once. Each page costs one unit of the daily quota.

    ``http`` is an ``httplib2.Http``-like object (tests pass ``HttpMockSequence``); by default
    a fresh one with a 30 s timeout. Discovery uses the document bundled with the client, so
    building the service makes no request.
    """
    if not is_video_id(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    if not api_key:
        raise ValueError("an API key is required")
    if max_comments < 1:
        raise ValueError("max_comments must be at least 1")

    from googleapiclient.discovery import build

    if http is None:
        import httplib2

        http = httplib2.Http(timeout=_API_TIMEOUT_S)
    service = build(
        "youtube",
        "v3",
        developerKey=api_key,
        http=http,
        static_discovery=True,
        cache_discovery=False,
    )
    part = "snippet,replies" if include_replies else "snippet"
    comments: list[HarvestedComment] = []
    seen_ids: set[str] = set()
    seen_tokens: set[str] = set()
    page_token: str | None = None
    pages = 0
    # Pages normally hold 100 threads, but YouTube sometimes returns short or empty pages with
    # a next token; this bound keeps a misbehaving listing from burning the quota.
    max_pages = max_comments // 10 + 10
    while True:
        request = service.commentThreads().list(
            part=part,
            videoId=video_id,
            maxResults=_API_PAGE_SIZE,
            order="relevance",
            textFormat="html",
            pageToken=page_token,
        )
        response = _execute_with_retries(request, retries=retries, sleep=sleep, backoff=backoff)
        pages += 1
        for item in response.get("items") or []:
            for comment in comments_from_api_thread(item, is_html=True):
                if comment.parent_id is not None and not include_replies:
                    continue
                if not comment.comment_id or comment.comment_id in seen_ids:
                    continue
                seen_ids.add(comment.comment_id)
                comments.append(comment)
                if len(comments) >= max_comments:
                    break
            if len(comments) >= max_comments:
                break
        if on_progress is not None:
            on_progress(len(comments))
        page_token = response.get("nextPageToken") or None
        if len(comments) >= max_comments or page_token is None:
            break
        if page_token in seen_tokens or pages >= max_pages:
            logger.warning(
                "Stopping comment listing of %s after %d pages: YouTube repeats page tokens or "
                "returns too many short pages",
                video_id,
                pages,
            )
            break
        seen_tokens.add(page_token)
    logger.info(
        "Collected %d comments of %s through the API in %d pages", len(comments), video_id, pages
    )
    return comments


def _execute_with_retries(
    request: Any,
    *,
    retries: int,
    sleep: Callable[[float], None],
    backoff: Callable[[int], float],
) -> dict[str, Any]:
    import httplib2
    from googleapiclient.errors import HttpError

    attempt = 0
    while True:
        try:
            response = request.execute(num_retries=0)
        except HttpError as exc:
            error, transient = _harvest_error_from_http(exc)
        except (httplib2.HttpLib2Error, OSError) as exc:
            # OSError covers socket timeouts, refused/reset connections and SSL errors.
            error = HarvestError(
                ERROR_MESSAGES["network"],
                code="network",
                permanent=False,
                detail=_RedactApiKey.redact(f"{type(exc).__name__}: {exc}"),
            )
            transient = True
        else:
            if isinstance(response, dict):
                return response
            # The client hands back a 2xx body that is not JSON as a string: a broken answer
            # (a proxy's error page, a truncated body), worth another try.
            error = HarvestError(
                ERROR_MESSAGES["unavailable"],
                code="unavailable",
                permanent=False,
                detail=f"answer is not a JSON object: {str(response)[:100]!r}",
            )
            transient = True
        if not transient or attempt >= retries:
            logger.warning("YouTube API request failed (%s): %s", error.code, error.detail)
            # "from None": the HttpError's text holds the request URI, which holds the API key;
            # chaining it would print the key in every logged traceback.
            raise error from None
        delay = backoff(attempt)
        logger.info(
            "YouTube API request failed (%s: %s); retry %d of %d in %.1f s",
            error.code,
            error.detail,
            attempt + 1,
            retries,
            delay,
        )
        sleep(delay)
        attempt += 1


def _harvest_error_from_http(exc: Any) -> tuple[HarvestError, bool]:
    """An ``HttpError`` → (the error to raise, whether a retry may help)."""
    status = int(getattr(exc.resp, "status", 0) or 0)
    reasons: set[str] = set()
    api_message = ""
    try:
        body = json.loads(
            exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content
        )
    except (ValueError, TypeError, AttributeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        api_message = str(err.get("message") or "")
        for item in [*(err.get("errors") or []), *(err.get("details") or [])]:
            if isinstance(item, dict) and isinstance(item.get("reason"), str):
                reasons.add(item["reason"])
        if isinstance(err.get("status"), str):
            reasons.add(err["status"])
    detail = f"HTTP {status} {','.join(sorted(reasons)) or '-'}: {api_message[:300]}"

    if "commentsDisabled" in reasons:
        code, transient = "comments_disabled", False
    elif reasons & {"quotaExceeded", "dailyLimitExceeded"}:
        code, transient = "quota_exceeded", False
    elif reasons & {"rateLimitExceeded", "userRateLimitExceeded"} or status == 429:
        code, transient = "rate_limited", True
    elif "videoNotFound" in reasons or status == 404:
        code, transient = "video_not_found", False
    elif reasons & _BAD_KEY_REASONS or (status == 400 and "api key" in api_message.lower()):
        code, transient = "bad_api_key", False
    elif "forbidden" in reasons or status == 403:
        code, transient = "forbidden", False
    elif reasons & _TRANSIENT_REASONS or status >= 500:
        code, transient = "unavailable", True
    else:
        code, transient = "api_error", False
    return HarvestError(
        ERROR_MESSAGES[code], code=code, permanent=_permanent(code), detail=detail
    ), transient


# ============================================================================================
# yt-dlp

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
_YTDLP_TIMEOUT_S = 30.0


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


def _base_options(socket_timeout: float) -> dict[str, Any]:
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


def _new_ydl(options: dict[str, Any], factory: Callable[[dict[str, Any]], Any] | None) -> Any:
    if factory is not None:
        return factory(options)
    import yt_dlp

    return yt_dlp.YoutubeDL(options)


def _ytdlp_error(exc: BaseException, error_class: type[YouTubeError]) -> YouTubeError:
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
    return error_class(message, code=code, permanent=_permanent(code), detail=detail)


def fetch_comments_ytdlp(
    video_id_or_url: str,
    *,
    max_comments: int = 2000,
    include_replies: bool = True,
    max_replies_per_thread: int = 5,
    socket_timeout: float = _YTDLP_TIMEOUT_S,
    ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
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
        **_base_options(socket_timeout),
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
        with _new_ydl(options, ydl_factory) as ydl:
            info = ydl.extract_info(canonical_url(video_id), download=False)
    except YouTubeError:
        raise
    except Exception as exc:  # yt-dlp's DownloadError and anything its extractors let through
        error = _ytdlp_error(exc, HarvestError)
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
    socket_timeout: float = _YTDLP_TIMEOUT_S,
    ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
) -> VideoMetadata:
    """Title, duration, thumbnail, chapters and heatmap of a video, via yt-dlp (no download).

    Production callers pass ``canonical_url(video_id)`` only (see the module docstring).
    Raises :class:`HarvestError` (metadata is collected information, like comments; no file is
    involved), with the same codes as the other yt-dlp calls.
    """
    options = {
        **_base_options(socket_timeout),
        "skip_download": True,
        "ignore_no_formats_error": True,
    }
    try:
        with _new_ydl(options, ydl_factory) as ydl:
            info = ydl.extract_info(url, download=False)
    except YouTubeError:
        raise
    except Exception as exc:
        error = _ytdlp_error(exc, HarvestError)
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
    duration = _float_or_none(info.get("duration"))
    chapters = []
    for chapter in info.get("chapters") or []:
        start = _float_or_none(chapter.get("start_time"))
        end = _float_or_none(chapter.get("end_time"))
        if start is None or end is None or end <= start:
            continue
        chapters.append(
            {"start_time": start, "end_time": end, "title": str(chapter.get("title") or "")}
        )
    heatmap = []
    for segment in info.get("heatmap") or []:
        start = _float_or_none(segment.get("start_time"))
        end = _float_or_none(segment.get("end_time"))
        value = _float_or_none(segment.get("value"))
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
        video_id=str(info.get("id") or ""),
        title=str(info.get("title") or ""),
        duration=duration,
        thumbnail_url=thumbnail,
        chapters=chapters,
        heatmap=heatmap or None,
        uploader=str(info.get("uploader") or info.get("channel") or ""),
        channel_id=str(info.get("channel_id") or ""),
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


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int_or_none(value: Any) -> int | None:
    number = _float_or_none(value)
    return int(number) if number is not None else None


# --------------------------------------------------------------------------------------------
# Download


def video_format_selector(max_height: int = 1080) -> str:
    """yt-dlp format selector: H.264 video + AAC audio ≤ ``max_height``, then any MP4 ≤ it,
    then anything ≤ it (remuxed to MP4). ``<=?`` lets formats of unknown height through."""
    h = int(max_height)
    return (
        f"bv*[height<=?{h}][vcodec^=avc1]+ba[ext=m4a]"
        f"/b[height<=?{h}][ext=mp4]"
        f"/bv*[height<=?{h}]+ba"
        f"/b[height<=?{h}]"
    )


class _DownloadMonitor:
    """yt-dlp hooks: overall progress across the parts of a merged download, the size cap,
    and the duration/live checks (as a match filter)."""

    def __init__(
        self,
        on_progress: Callable[[float, str], None] | None,
        *,
        max_duration: float | None,
        max_filesize: int | None,
    ) -> None:
        self.on_progress = on_progress
        self.max_duration = max_duration
        self.max_filesize = max_filesize
        self.finished_files: dict[str, int] = {}
        self.last_reported = -1.0
        self.last_message = ""
        self.callback_error: Exception | None = None
        # How many files make up the download (video + audio when merging). yt-dlp drops
        # "requested_formats" from the per-file dicts the progress hook sees, so the match
        # filter, which sees the selected formats, records it.
        self.parts = 1

    def report(self, percent: float, message: str) -> None:
        # Monotonic, and at most once per whole percent, so a job row is not rewritten per block.
        percent = max(0.0, min(100.0, percent))
        if self.on_progress is None:
            return
        if percent < self.last_reported:
            return
        if (
            percent < 100.0
            and int(percent) <= int(self.last_reported)
            and message == self.last_message
        ):
            return
        self.last_reported = percent
        self.last_message = message
        try:
            self.on_progress(round(percent, 1), message)
        except Exception as exc:
            # Raised through yt-dlp's hooks; remembered so that download_video re-raises the
            # caller's own exception (e.g. a cancelled job) instead of a DownloadError.
            self.callback_error = exc
            raise

    def match_filter(self, info: dict[str, Any], *, incomplete: Any = False) -> None:
        if not incomplete:
            self.parts = max(1, len(info.get("requested_formats") or ()))
        if info.get("is_live") or info.get("live_status") in ("is_live", "is_upcoming"):
            raise DownloadError(
                ERROR_MESSAGES["live"], code="live", permanent=True, detail="live_status"
            )
        duration = _float_or_none(info.get("duration"))
        if self.max_duration is not None and duration is not None and duration > self.max_duration:
            raise DownloadError(
                f"The video is {clock(duration)} long; the maximum is {clock(self.max_duration)}.",
                code="too_long",
                permanent=True,
                detail=f"duration {duration} > {self.max_duration}",
            )
        if self.max_filesize is not None:
            formats = info.get("requested_formats") or [info]
            sizes = [f.get("filesize") or f.get("filesize_approx") for f in formats]
            if all(isinstance(s, int | float) and s > 0 for s in sizes):
                total = int(sum(sizes))
                if total > self.max_filesize:
                    raise self._too_large(total)
        return None

    def progress_hook(self, d: dict[str, Any]) -> None:
        status = d.get("status")
        filename = str(d.get("filename") or "")
        parts = max(self.parts, len(self.finished_files) + (status != "finished"))
        downloaded = int(d.get("downloaded_bytes") or 0)
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        if status == "finished":
            self.finished_files[filename] = downloaded or int(total or 0)
        done_bytes = sum(size for name, size in self.finished_files.items() if name != filename)
        if self.max_filesize is not None:
            current = max(downloaded, int(d.get("total_bytes") or 0))
            if done_bytes + current > self.max_filesize:
                raise self._too_large(done_bytes + current)
        done_parts = len(self.finished_files)
        if status == "downloading":
            fraction = downloaded / total if total else 0.0
            overall = (done_parts + min(fraction, 1.0)) / parts
        else:
            overall = done_parts / parts
        label = (
            "Downloading video"
            if parts == 1
            else f"Downloading part {min(done_parts + 1, parts)} of {parts}"
        )
        # The last percent is kept for merging and moving the file into place.
        self.report(min(overall, 1.0) * 99.0, label)

    def postprocessor_hook(self, d: dict[str, Any]) -> None:
        if d.get("status") == "started" and d.get("postprocessor") in ("Merger", "VideoRemuxer"):
            self.report(99.0, "Merging audio and video")

    def _too_large(self, size: int) -> DownloadError:
        assert self.max_filesize is not None
        return DownloadError(
            f"The video file is larger than the maximum of {_megabytes(self.max_filesize)}.",
            code="too_large",
            permanent=True,
            detail=f"{size} bytes > {self.max_filesize}",
        )


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"


def download_video(
    url: str,
    out_dir: Path,
    *,
    max_height: int = 1080,
    max_duration: float | None = None,
    max_filesize: int | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    ffmpeg_location: str | None = None,
    socket_timeout: float = _YTDLP_TIMEOUT_S,
    ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
) -> Path:
    """Download a video as MP4 into ``out_dir`` under a generated name; return its path.

    Prefers H.264 + AAC up to ``max_height`` (see :func:`video_format_selector`), merged or
    remuxed to MP4 with ``ffmpeg_location`` (default: imageio-ffmpeg's binary). Refuses live
    streams, videos longer than ``max_duration`` seconds and files larger than ``max_filesize``
    bytes (checked from yt-dlp's size estimates before downloading, and from the bytes actually
    received while downloading). ``on_progress(percent, message)`` gets increasing percentages,
    ending with 100. Work happens in a private temporary folder inside ``out_dir``, so a
    failure leaves no ``.part`` or fragment files; only the finished file is moved into place.
    Production callers pass ``canonical_url(video_id)`` only. Raises :class:`DownloadError`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if ffmpeg_location is None:
        import imageio_ffmpeg

        ffmpeg_location = imageio_ffmpeg.get_ffmpeg_exe()
    monitor = _DownloadMonitor(on_progress, max_duration=max_duration, max_filesize=max_filesize)
    name = uuid.uuid4().hex
    work_dir = Path(tempfile.mkdtemp(prefix=".download-", dir=out_dir))
    options = {
        **_base_options(socket_timeout),
        "format": video_format_selector(max_height),
        "merge_output_format": "mp4",
        "postprocessors": [{"key": "FFmpegVideoRemuxer", "preferedformat": "mp4"}],
        "ffmpeg_location": ffmpeg_location,
        "paths": {"home": str(work_dir), "temp": str(work_dir)},
        "outtmpl": {"default": f"{name}.%(ext)s"},
        "continuedl": False,
        "overwrites": True,
        "writethumbnail": False,
        "match_filter": monitor.match_filter,
        "progress_hooks": [monitor.progress_hook],
        "postprocessor_hooks": [monitor.postprocessor_hook],
    }
    try:
        monitor.report(0.0, "Starting download")
        try:
            with _new_ydl(options, ydl_factory) as ydl:
                info = ydl.extract_info(url, download=True)
        except YouTubeError:
            raise
        except Exception as exc:
            if monitor.callback_error is not None:
                raise monitor.callback_error from None
            error = _ytdlp_error(exc, DownloadError)
            logger.warning("Download of %s failed (%s): %s", url, error.code, error.detail)
            raise error from exc
        produced = _downloaded_file(info, work_dir)
        if produced is None:
            raise DownloadError(
                ERROR_MESSAGES["no_file"],
                code="no_file",
                permanent=False,
                detail=str(list(work_dir.iterdir())),
            )
        size = produced.stat().st_size
        if max_filesize is not None and size > max_filesize:
            raise monitor._too_large(size)
        destination = out_dir / f"{name}{produced.suffix.lower() or '.mp4'}"
        os.replace(produced, destination)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    monitor.report(100.0, "Downloaded")
    logger.info("Downloaded %s to %s (%d bytes)", url, destination, destination.stat().st_size)
    return destination


def _downloaded_file(info: dict[str, Any] | None, work_dir: Path) -> Path | None:
    """The finished file yt-dlp produced, only if it is inside ``work_dir``."""
    candidates = [d.get("filepath") for d in (info or {}).get("requested_downloads") or []]
    candidates.append((info or {}).get("filepath"))
    root = work_dir.resolve()
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate).resolve()
        if path.is_file() and root in path.parents:
            return path
    return None
