"""youtube.ytdlp: comments with a stand-in YoutubeDL, metadata from YouTube-shaped info and
from a page on the local media server, and the mapping of yt-dlp failures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.youtube.helpers import VIDEO_ID, FakeYDL, fake_factory, fixture_json
from youtube import (
    HarvestError,
    InvalidYouTubeURL,
    canonical_url,
    fetch_comments_ytdlp,
    fetch_metadata,
)


def test_ytdlp_comments_are_bounded_and_mapped() -> None:
    made, factory = fake_factory(fixture_json("ytdlp_info_with_comments.json"))
    comments = fetch_comments_ytdlp(f"https://youtu.be/{VIDEO_ID}?t=5", ydl_factory=factory)

    (ydl,) = made
    assert ydl.urls == [canonical_url(VIDEO_ID)]
    assert ydl.options["getcomments"] is True
    assert ydl.options["skip_download"] is True
    assert ydl.options["ignoreerrors"] is False
    assert ydl.options["extractor_args"]["youtube"]["max_comments"] == ["2000", "all", "2000", "5"]
    assert ydl.options["extractor_args"]["youtube"]["comment_sort"] == ["top"]

    assert [c.comment_id for c in comments] == [
        "UgzGx8Kq3vJ0m1XnR9d4AaABAg",
        "UgzGx8Kq3vJ0m1XnR9d4AaABAg.9qZ1aB3cD4e9qZ2fG5hJ6k",
        "Ugw7pQ2rN4sVb8kLmE1x4AaABAg",
    ]
    assert comments[0].parent_id is None  # "root"
    assert comments[1].parent_id == "UgzGx8Kq3vJ0m1XnR9d4AaABAg"
    assert comments[0].like_count == 1523
    assert comments[0].author_channel_id == "UCp9Qm3c5xWv2tY7nK1rL8aQ"
    assert comments[0].text == "10:43 legend"
    assert comments[0].is_html is False
    assert comments[0].published_at == datetime.fromtimestamp(1686471704, tz=UTC)


def test_ytdlp_comments_without_replies_and_with_a_smaller_cap() -> None:
    made, factory = fake_factory(fixture_json("ytdlp_info_with_comments.json"))
    comments = fetch_comments_ytdlp(
        VIDEO_ID, max_comments=2, include_replies=False, ydl_factory=factory
    )
    assert made[0].options["extractor_args"]["youtube"]["max_comments"] == ["2", "all", "0", "0"]
    assert len(comments) == 2  # the cap holds even if the extractor returned more


def test_ytdlp_disabled_comments() -> None:
    _, factory = fake_factory({"id": VIDEO_ID, "comments": None})
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == "comments_disabled"
    assert info.value.permanent is True


def test_ytdlp_empty_comment_section_is_not_an_error() -> None:
    _, factory = fake_factory({"id": VIDEO_ID, "comments": []})
    assert fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory) == []


def _ytdlp_failure(message: str, cause: BaseException | None = None) -> BaseException:
    from yt_dlp.utils import DownloadError as YtDlpDownloadError
    from yt_dlp.utils import ExtractorError

    inner = ExtractorError(message, expected=True, cause=cause)
    return YtDlpDownloadError(f"ERROR: [youtube] {VIDEO_ID}: {message}", (type(inner), inner, None))


@pytest.mark.parametrize(
    ("message", "code", "permanent"),
    [
        ("Video unavailable. This video has been removed by the uploader", "video_not_found", True),
        ("Private video. Sign in if you've been granted access to this video", "forbidden", True),
        (
            "Sign in to confirm your age. This video may be inappropriate for some users.",
            "forbidden",
            True,
        ),
        ("Sign in to confirm you’re not a bot. Use --cookies-from-browser", "blocked", False),
        (
            "Join this channel to get access to members-only content like this video",
            "forbidden",
            True,
        ),
        ("This live event will begin in 3 hours.", "live", True),
        ("Something nobody has seen before", "unavailable", False),
    ],
)
def test_ytdlp_errors_are_mapped(message: str, code: str, permanent: bool) -> None:
    _, factory = fake_factory(_ytdlp_failure(message))
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == code
    assert info.value.permanent is permanent
    assert message[:20] in info.value.detail


def test_ytdlp_network_failure_is_mapped() -> None:
    from yt_dlp.networking.exceptions import TransportError

    cause = TransportError("[Errno -3] Temporary failure in name resolution")
    _, factory = fake_factory(_ytdlp_failure("Unable to download API page", cause=cause))
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == "network"
    assert info.value.permanent is False


def test_ytdlp_comments_refuse_non_youtube_input_without_fetching() -> None:
    made, factory = fake_factory({"comments": []})
    with pytest.raises(InvalidYouTubeURL):
        fetch_comments_ytdlp("http://127.0.0.1:8000/admin", ydl_factory=factory)
    assert made == []


def test_ytdlp_comment_options_are_accepted_by_the_real_youtubedl() -> None:
    import yt_dlp

    real: list[Any] = []

    def factory(options: dict[str, Any]) -> FakeYDL:
        real.append(yt_dlp.YoutubeDL(options))  # validates the options; makes no request
        return FakeYDL(options, {"comments": []})

    fetch_comments_ytdlp(VIDEO_ID, max_comments=300, ydl_factory=factory)
    youtube_ie = real[0].get_info_extractor("Youtube")
    assert youtube_ie._configuration_arg("max_comments") == ["300", "all", "300", "5"]
    real[0].close()


def test_metadata_is_normalised_from_youtube_shaped_info() -> None:
    info = {
        "id": VIDEO_ID,
        "title": "Rick Astley - Never Gonna Give You Up (Official Music Video)",
        "duration": 213,
        "thumbnail": "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg",
        "uploader": "Rick Astley",
        "channel_id": "UCuAXFkgsw1L7xaCfnd5JJOw",
        "upload_date": "20091025",
        "view_count": 1_600_000_000,
        "comment_count": 2_400_000,
        "live_status": "not_live",
        "chapters": [
            {"start_time": 0.0, "end_time": 43.0, "title": "Intro"},
            {"start_time": 43.0, "end_time": 213.0, "title": "Song"},
            {"start_time": 50.0, "end_time": 50.0, "title": "broken"},
        ],
        "heatmap": [
            {
                "start_time": 2.13 * i,
                "end_time": 2.13 * (i + 1),
                "value": (1.0 if i == 42 else i / 200),
            }
            for i in reversed(range(100))
        ],
    }
    _, factory = fake_factory(info)
    meta = fetch_metadata(canonical_url(VIDEO_ID), ydl_factory=factory)
    assert meta.video_id == VIDEO_ID
    assert meta.duration == 213.0
    assert meta.thumbnail_url.endswith("maxresdefault.jpg")
    assert meta.upload_date is not None and meta.upload_date.isoformat() == "2009-10-25"
    assert [c["title"] for c in meta.chapters] == ["Intro", "Song"]
    assert meta.heatmap is not None and len(meta.heatmap) == 100
    assert [s["start_time"] for s in meta.heatmap] == sorted(s["start_time"] for s in meta.heatmap)
    assert max(meta.heatmap, key=lambda s: s["value"])["start_time"] == pytest.approx(2.13 * 42)
    assert meta.is_live is False
    assert meta.comment_count == 2_400_000


def test_metadata_drops_nul_characters() -> None:
    """PostgreSQL text and jsonb cannot hold NUL: the title, uploader and chapter names lose it."""
    _, factory = fake_factory({
        "id": VIDEO_ID, "title": "Con\x00cert", "uploader": "Rick\x00", "duration": 100,
        "chapters": [{"start_time": 0, "end_time": 50, "title": "In\x00tro"}],
    })
    meta = fetch_metadata(canonical_url(VIDEO_ID), ydl_factory=factory)
    assert (meta.title, meta.uploader) == ("Concert", "Rick")
    assert [c["title"] for c in meta.chapters] == ["Intro"]


def test_metadata_without_heatmap_reports_none() -> None:
    _, factory = fake_factory(
        {"id": VIDEO_ID, "title": "t", "heatmap": [], "live_status": "is_live"}
    )
    meta = fetch_metadata(canonical_url(VIDEO_ID), ydl_factory=factory)
    assert meta.heatmap is None
    assert meta.duration is None
    assert meta.is_live is True


def test_fetch_metadata_from_a_local_page(media_server) -> None:
    base, _, _ = media_server
    meta = fetch_metadata(f"{base}/page.html")
    assert meta.title == "Local test clip"
    assert meta.duration == 3.0
    assert meta.thumbnail_url == f"{base}/thumb.jpg"
    assert meta.upload_date is not None and meta.upload_date.isoformat() == "2024-05-01"
    assert meta.heatmap is None
    assert meta.extractor.lower() == "generic"


def test_fetch_metadata_of_a_missing_page(media_server) -> None:
    base, _, _ = media_server
    with pytest.raises(HarvestError) as info:
        fetch_metadata(f"{base}/no-such-video.html")
    assert info.value.code == "video_not_found"
    assert info.value.permanent is True
    assert "404" in info.value.detail
