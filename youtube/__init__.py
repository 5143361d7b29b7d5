"""Everything Shortory asks of YouTube: URL policy, comments, metadata and video download.

The only package in the product that talks to YouTube (or to the network at all); pure, no
Django. Services reduce a pasted link to its id (:func:`parse_video_id`) and fetch only
:func:`watch_url` of it, never the text a user typed; :func:`fetch_metadata` and
:func:`download_video` take a URL only so that tests can use 127.0.0.1. Every failure is a
:class:`YouTubeError`. Modules: ``urls``, ``errors``, ``data_api``, ``ytdlp``, ``download``.
"""

from comment_files import HarvestedComment

from .captions import CaptionFile, fetch_captions
from .data_api import fetch_comments_api
from .download import download_video, video_format_selector
from .errors import ERROR_MESSAGES, DownloadError, HarvestError, YouTubeError
from .urls import (
    YOUTUBE_HOSTS,
    InvalidYouTubeURL,
    YouTubeURL,
    canonical_url,
    is_video_id,
    parse_start_time,
    parse_video_id,
    parse_youtube_url,
    watch_url,
)
from .ytdlp import VideoMetadata, fetch_comments_ytdlp, fetch_metadata

__all__ = [
    "CaptionFile",
    "fetch_captions",
    "ERROR_MESSAGES",
    "YOUTUBE_HOSTS",
    "DownloadError",
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
    "video_format_selector",
    "watch_url",
]
