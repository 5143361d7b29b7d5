"""YouTube URL policy: which links are accepted, and the one URL the server fetches for a video.

A pasted link is reduced to its 11-character video id (exact host matching keeps look-alike
hosts out); the server then requests only :func:`watch_url` of that id, never the pasted text,
which is what keeps user input from steering server-side requests (SSRF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from timeline import parse_t_param

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
#: The watch page of a video; ``{id}`` is replaced by the video id.
WATCH_URL_TEMPLATE = "https://www.youtube.com/watch?v={id}"

_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
# Path prefixes followed by the id: /shorts/ID, /live/ID, /embed/ID, /v/ID, /e/ID.
_ID_PATH_PREFIXES = frozenset({"shorts", "live", "embed", "v", "e"})
_CHANNEL_PREFIXES = frozenset({"channel", "c", "user"})
_VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
_MAX_URL_CHARS = 2048

_NOT_YOUTUBE = "That is not a YouTube link. Paste a video link from youtube.com or youtu.be."
_ONLY_HTTP = "Only web links (https://…) to YouTube videos can be used."
_PLAYLIST = "That is a playlist link. Open one video of the playlist and paste that link."


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


def watch_url(video_id: str, template: str = WATCH_URL_TEMPLATE) -> str:
    """The URL to fetch for a video: ``template`` with ``{id}`` replaced by ``video_id``.

    The only builder of a video's URL. The default is YouTube's watch page; tests pass a
    template pointing at a local server. Raises :class:`InvalidYouTubeURL` unless ``video_id``
    is a video id (:func:`is_video_id`), so nothing else can end up in the URL, and
    ``ValueError`` if ``template`` has no ``{id}`` (every video would get the same URL).
    """
    if not is_video_id(video_id):
        raise InvalidYouTubeURL(f"not a YouTube video id: {video_id!r}", code="not_video")
    if "{id}" not in template:
        raise ValueError(f"the watch URL template has no {{id}}: {template!r}")
    return template.format(id=video_id)


def canonical_url(video_id: str) -> str:
    """The one URL the server fetches for a video: ``https://www.youtube.com/watch?v=<id>``
    (:func:`watch_url` with the default template)."""
    return watch_url(video_id)


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
    candidate: str | None
    if host in _SHORT_HOSTS:
        candidate = segments[0] if len(segments) == 1 else None
    elif not segments or segments == ["watch"]:
        v_values = query.get("v")
        candidate = v_values[0] if v_values else None
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
    # The first of t=, start=, #t= that is present wins, even when empty (then no start time).
    t_values = query.get("t") or query.get("start") or fragment.get("t")
    start = parse_t_param(t_values[0]) if t_values else None
    return YouTubeURL(video_id=candidate, start_time=start)


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
