"""Which ffmpeg binary to run: the package's one resolver.

imageio-ffmpeg ships a static ffmpeg (and no ffprobe); a configured path or ``$SHORTORY_FFMPEG``
points the package at another binary, and the ``ffmpeg`` on PATH is the last resort.
"""

from __future__ import annotations

import os
import shutil

from .errors import MediaError

FFMPEG_ENV = "SHORTORY_FFMPEG"

_MISSING = "Video processing is not available (ffmpeg is missing)."


def find_ffmpeg(ffmpeg: str | None = None) -> str:
    """The ffmpeg executable to use: the ``ffmpeg`` argument (a configured path or command
    name), else ``$SHORTORY_FFMPEG``, else the binary bundled with imageio-ffmpeg, else
    ``ffmpeg`` on PATH. A configured or environment value is used as given, never replaced
    by a fallback. Raises MediaError when the chosen binary is not an executable."""
    candidate = ffmpeg or os.environ.get(FFMPEG_ENV) or _bundled_ffmpeg() or "ffmpeg"
    resolved = shutil.which(candidate) if os.sep not in candidate else candidate
    if not resolved or not os.access(resolved, os.X_OK):
        raise MediaError(_MISSING)
    return resolved


def ffmpeg_or_none(ffmpeg: str | None = None) -> str | None:
    """Like ``find_ffmpeg`` but None instead of an error (for health and system checks)."""
    try:
        return find_ffmpeg(ffmpeg)
    except MediaError:
        return None


def _bundled_ffmpeg() -> str | None:
    """imageio-ffmpeg's binary; None when the package or its binary is missing."""
    try:
        import imageio_ffmpeg  # imported lazily: only needed when nothing else is configured
    except ImportError:
        return None
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # installed without its binary (e.g. a source build on another OS)
        return None
    return str(exe) if exe else None
