"""youtube/__init__.py: the public API stays importable from the package itself."""

from __future__ import annotations

import youtube

# What the rest of the product and its tests use as ``youtube.<name>``.
USED_BY_CALLERS = {
    "DownloadError",
    "ERROR_MESSAGES",
    "HarvestError",
    "InvalidYouTubeURL",
    "YouTubeURL",
    "canonical_url",
    "download_video",
    "fetch_comments_api",
    "fetch_comments_ytdlp",
    "fetch_metadata",
    "parse_video_id",
    "video_format_selector",
    "watch_url",
}


def test_every_public_name_is_exported_from_the_package() -> None:
    assert USED_BY_CALLERS <= set(youtube.__all__)
    for name in youtube.__all__:
        assert getattr(youtube, name) is not None, name


def test_the_comment_type_is_the_one_from_comment_files() -> None:
    import comment_files

    assert youtube.HarvestedComment is comment_files.HarvestedComment
