"""Comments through the YouTube Data API v3 (google-api-python-client), when there is a key.

Paging, bounded retries of transient failures, and mapping of API errors to
:class:`~youtube.errors.HarvestError`. The client logs request URLs (API key included), so
this module installs a filter that redacts the key and never chains errors that hold it.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any

import httplib2  # type: ignore[import-untyped]  # types-httplib2 is not installed

from comment_files import HarvestedComment, comments_from_api_thread

from .errors import ERROR_MESSAGES, HarvestError, is_permanent
from .urls import is_video_id

logger = logging.getLogger(__name__)

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


def _install_key_redaction() -> None:
    """Put :class:`_RedactApiKey` on the client's loggers (once, even if run again)."""
    for name in ("googleapiclient.discovery", "googleapiclient.http"):
        client_logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactApiKey) for f in client_logger.filters):
            client_logger.addFilter(_RedactApiKey())


_install_key_redaction()


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
    ``time`` order would give ~20 threads a page and cost several times the quota; HTML keeps
    YouTube's timestamp anchors (``<a href="...&amp;t=643">10:43</a>``). Replies are only the
    few (up to 5) the API puts inline in each thread: no extra ``comments.list`` request per
    thread. Texts are YouTube HTML (``is_html=True``). ``on_progress(collected)`` is called
    after each page with the number of comments collected so far (at most ``max_comments``).
    Transient failures (5xx, rate limits, network) are retried up to ``retries`` times,
    waiting ``backoff(attempt)`` seconds through ``sleep``; anything else raises
    :class:`HarvestError` at once. Each page costs one unit of the daily quota.

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
        ERROR_MESSAGES[code], code=code, permanent=is_permanent(code), detail=detail
    ), transient

