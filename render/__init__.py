"""Cut clips out of a video file with ffmpeg, and check that uploaded files are usable videos.

Pure package: no Django. It drives the ffmpeg that ``imageio-ffmpeg`` ships (there is no
ffprobe, so probing reads what ``ffmpeg -i`` prints); ``SHORTORY_FFMPEG`` or the ``ffmpeg``
argument point it at another binary. Source-aspect clips use a smart cut (docs/smart-cut.md).
"""

from __future__ import annotations

from .aspects import ASPECT_RATIOS, ASPECTS, VERTICAL_FILTER, Aspect
from .clip import RenderResult, render_clip
from .encode import (
    AUDIO_KBPS_PER_CHANNEL,
    FULL_CRF,
    SEGMENT_CRF,
    THUMBNAIL_MAX_HEIGHT,
    X264_PARAMS,
    X264_PRESET,
)
from .errors import MediaError
from .plan import BOUNDARY_TOLERANCE
from .poster import POSTER_MAX_HEIGHT, grab_poster
from .probe import MediaInfo, probe_media
from .process import FFMPEG_TIMEOUT
from .tools import FFMPEG_ENV, ffmpeg_or_none, find_ffmpeg

__all__ = [
    "ASPECTS",
    "ASPECT_RATIOS",
    "AUDIO_KBPS_PER_CHANNEL",
    "BOUNDARY_TOLERANCE",
    "FFMPEG_ENV",
    "FFMPEG_TIMEOUT",
    "FULL_CRF",
    "SEGMENT_CRF",
    "THUMBNAIL_MAX_HEIGHT",
    "VERTICAL_FILTER",
    "X264_PARAMS",
    "X264_PRESET",
    "Aspect",
    "MediaError",
    "MediaInfo",
    "POSTER_MAX_HEIGHT",
    "RenderResult",
    "ffmpeg_or_none",
    "grab_poster",
    "find_ffmpeg",
    "probe_media",
    "render_clip",
]
