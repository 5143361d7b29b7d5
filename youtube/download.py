"""Video download with yt-dlp: H.264/AAC MP4 within the height, duration and size limits.

Merges or remuxes with ffmpeg (imageio-ffmpeg's binary by default), reports monotonic
progress, works in a private temporary folder and moves only the finished file into place, so
a failure leaves no partial files behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timeline import clock

from .errors import ERROR_MESSAGES, DownloadError, YouTubeError
from .ytdlp import (
    YTDLP_TIMEOUT_S,
    YdlFactory,
    base_options,
    error_from_ytdlp,
    float_or_none,
    new_ydl,
)

logger = logging.getLogger(__name__)


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

    def match_filter(self, info: dict[str, Any], *, incomplete: object = False) -> None:
        if not incomplete:
            self.parts = max(1, len(info.get("requested_formats") or ()))
        if info.get("is_live") or info.get("live_status") in ("is_live", "is_upcoming"):
            raise DownloadError(
                ERROR_MESSAGES["live"], code="live", permanent=True, detail="live_status"
            )
        duration = float_or_none(info.get("duration"))
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
                    raise self.too_large(total)
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
                raise self.too_large(done_bytes + current)
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

    def too_large(self, size: int) -> DownloadError:
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
    ffmpeg_location: str,
    socket_timeout: float = YTDLP_TIMEOUT_S,
    ydl_factory: YdlFactory | None = None,
) -> Path:
    """Download a video as MP4 into ``out_dir`` under a generated name; return its path.

    Prefers H.264 + AAC up to ``max_height`` (see :func:`video_format_selector`), merged or
    remuxed to MP4 with ``ffmpeg_location``, which callers take from ``render.find_ffmpeg``
    (the one resolver; this package never looks for ffmpeg itself). Refuses live
    streams, videos longer than ``max_duration`` seconds and files larger than ``max_filesize``
    bytes (checked from yt-dlp's size estimates before downloading, and from the bytes actually
    received while downloading). ``on_progress(percent, message)`` gets increasing percentages,
    ending with 100. Work happens in a private temporary folder inside ``out_dir``, so a
    failure leaves no ``.part`` or fragment files; only the finished file is moved into place.
    Production callers pass ``canonical_url(video_id)`` only. Raises :class:`DownloadError`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    monitor = _DownloadMonitor(on_progress, max_duration=max_duration, max_filesize=max_filesize)
    name = uuid.uuid4().hex
    work_dir = Path(tempfile.mkdtemp(prefix=".download-", dir=out_dir))
    options = {
        **base_options(socket_timeout),
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
            with new_ydl(options, ydl_factory) as ydl:
                info = ydl.extract_info(url, download=True)
        except YouTubeError:
            raise
        except Exception as exc:
            if monitor.callback_error is not None:
                raise monitor.callback_error from None
            error = error_from_ytdlp(exc, DownloadError)
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
            raise monitor.too_large(size)
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
