"""Cut clips out of a video file with ffmpeg, and check that uploaded files are usable videos.

Pure package: no Django. It drives the ffmpeg that ``imageio-ffmpeg`` ships (there is no
ffprobe, so probing reads what ``ffmpeg -i`` prints); ``SHORTORY_FFMPEG`` or the ``ffmpeg``
argument point it at another binary. Source-aspect clips use a smart cut (docs/smart-cut.md);
other aspects are reframed (docs/reframe.md), captions burned in on request (docs/captions.md).
"""

from __future__ import annotations

from .aspects import ASPECT_RATIOS, ASPECTS, VERTICAL_FILTER, Aspect
from .captions import MAX_BYTES as MAX_CAPTION_BYTES
from .captions import CaptionError, Cue, Word, cues_for_clip, parse_captions
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
from .frames import MAX_READ_PIXELS, read_frames
from .options import FRAMINGS, RenderOptions
from .plan import BOUNDARY_TOLERANCE
from .poster import POSTER_MAX_HEIGHT, grab_poster
from .probe import MediaInfo, probe_media
from .process import FFMPEG_TIMEOUT
from .reframe import CropPlan, Face
from .scenes import FaceFinder
from .strip import thumbnail_strip
from .tools import FFMPEG_ENV, ffmpeg_or_none, find_ffmpeg

__all__ = [
    "ASPECTS",
    "ASPECT_RATIOS",
    "AUDIO_KBPS_PER_CHANNEL",
    "BOUNDARY_TOLERANCE",
    "FFMPEG_ENV",
    "FFMPEG_TIMEOUT",
    "FRAMINGS",
    "MAX_CAPTION_BYTES",
    "FULL_CRF",
    "MAX_READ_PIXELS",
    "SEGMENT_CRF",
    "THUMBNAIL_MAX_HEIGHT",
    "VERTICAL_FILTER",
    "X264_PARAMS",
    "X264_PRESET",
    "Aspect",
    "CaptionError",
    "CropPlan",
    "Cue",
    "Face",
    "FaceFinder",
    "MediaError",
    "MediaInfo",
    "RenderOptions",
    "POSTER_MAX_HEIGHT",
    "RenderResult",
    "Word",
    "cues_for_clip",
    "ffmpeg_or_none",
    "grab_poster",
    "find_ffmpeg",
    "parse_captions",
    "probe_media",
    "read_frames",
    "render_clip",
    "thumbnail_strip",
]
