"""A video's own caption track via yt-dlp (no video download): uploaded subtitles first, then
YouTube's automatic captions, in the first wanted language that has either.

``json3`` is preferred (YouTube's automatic captions carry each word's start in it), then
``vtt``, then ``srt``. The text is returned undecoded, at most ``MAX_CAPTION_BYTES``;
parsing is the renderer's (``render.parse_captions``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import HarvestError, YouTubeError
from .ytdlp import YTDLP_TIMEOUT_S, YdlFactory, base_options, error_from_ytdlp, new_ydl

logger = logging.getLogger(__name__)

MAX_CAPTION_BYTES = 2_000_000
FORMATS = ("json3", "vtt", "srt")


@dataclass(frozen=True)
class CaptionFile:
    """One downloaded caption track."""

    language: str  # as YouTube names it ("en", "ko", "en-US" ...)
    automatic: bool  # YouTube's speech recognition, not the uploader's
    ext: str  # "json3" | "vtt" | "srt"
    data: bytes


def _primary(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()


def choose_track(info: dict[str, Any], languages: Sequence[str]) -> tuple[str, bool, dict] | None:
    """(language, automatic, format) of the best track: for each wanted language in order
    (the video's own language first, then those given), the uploader's subtitles, then the
    automatic captions (the original-language "-orig" track before a translation)."""
    manual = info.get("subtitles") or {}
    automatic = info.get("automatic_captions") or {}
    wanted = [lang for lang in [info.get("language") or "", *languages] if lang]

    def formats(tracks: Any) -> dict | None:
        if not isinstance(tracks, list):
            return None
        by_ext = {t.get("ext"): t for t in tracks if isinstance(t, dict) and t.get("url")}
        return next((by_ext[ext] for ext in FORMATS if ext in by_ext), None)

    for language in wanted:
        for pool, is_auto in ((manual, False), (automatic, True)):
            names = sorted((n for n in pool if isinstance(n, str)
                            and _primary(n) == _primary(language) and n != "live_chat"),
                           key=lambda n: (not n.endswith("-orig"), n != language, n))
            for name in names:
                chosen = formats(pool[name])
                if chosen is not None:
                    return name, is_auto, chosen
    return None


def fetch_captions(
    url: str,
    *,
    languages: Sequence[str] = (),
    socket_timeout: float = YTDLP_TIMEOUT_S,
    ydl_factory: YdlFactory | None = None,
) -> CaptionFile | None:
    """The video's caption track in the best wanted language (see ``choose_track``), or None
    when it has none. Raises :class:`HarvestError` when yt-dlp fails or the file is too big.

    Production callers pass ``canonical_url(video_id)`` only (see :mod:`youtube`).
    """
    options = {**base_options(socket_timeout), "skip_download": True,
               "ignore_no_formats_error": True}
    try:
        with new_ydl(options, ydl_factory) as ydl:
            info = ydl.extract_info(url, download=False) or {}
            if info.get("_type") in ("playlist", "multi_video"):
                info = next((e for e in info.get("entries") or [] if e), {})
            choice = choose_track(info, languages)
            if choice is None:
                return None
            language, automatic, track = choice
            with ydl.urlopen(track["url"]) as response:  # type: ignore[attr-defined]
                data = response.read(MAX_CAPTION_BYTES + 1)
    except YouTubeError:
        raise
    except Exception as exc:
        error = error_from_ytdlp(exc, HarvestError)
        logger.warning("yt-dlp captions of %s failed (%s): %s", url, error.code, error.detail)
        raise error from exc
    if len(data) > MAX_CAPTION_BYTES:
        raise HarvestError("The video's captions are too large.", code="too_large",
                           permanent=True, detail=f"over {MAX_CAPTION_BYTES} bytes")
    logger.info("captions of %s: %s%s (%s, %d bytes)", url, language,
                " (automatic)" if automatic else "", track.get("ext"), len(data))
    return CaptionFile(language=language, automatic=automatic, ext=str(track.get("ext")),
                       data=data)
