"""youtube.urls: which links are accepted, what they say, and the one URL fetched per video."""

from __future__ import annotations

import pytest

import youtube
from tests.youtube.helpers import VIDEO_ID
from youtube import (
    InvalidYouTubeURL,
    canonical_url,
    is_video_id,
    parse_start_time,
    parse_video_id,
    parse_youtube_url,
    watch_url,
)

ID = VIDEO_ID


VALID_URLS = [
    # (url, id, start seconds)
    (f"https://www.youtube.com/watch?v={ID}", ID, None),
    (f"http://www.youtube.com/watch?v={ID}", ID, None),
    (f"https://youtube.com/watch?v={ID}", ID, None),
    (f"www.youtube.com/watch?v={ID}", ID, None),
    (f"youtube.com/watch?v={ID}", ID, None),
    (f"//www.youtube.com/watch?v={ID}", ID, None),
    (f"  https://www.youtube.com/watch?v={ID}  ", ID, None),
    (f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}", ID, None),
    (f"https://www.youtube.com./watch?v={ID}", ID, None),
    (f"https://www.youtube.com:443/watch?v={ID}", ID, None),
    (f"https://m.youtube.com/watch?v={ID}", ID, None),
    (f"https://music.youtube.com/watch?v={ID}&feature=share", ID, None),
    (f"https://www.youtube.com/watch?feature=youtu.be&v={ID}", ID, None),
    (
        f"https://www.youtube.com/watch?v={ID}&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI&index=3",
        ID,
        None,
    ),
    (f"https://www.youtube.com/watch?v={ID}&ab_channel=RickAstley", ID, None),
    (f"https://www.youtube.com/watch?v={ID}&t=643s", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=643", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=10m43s", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=1h2m3s", ID, 3723),
    (f"https://www.youtube.com/watch?v={ID}&t=1h", ID, 3600),
    (f"https://www.youtube.com/watch?v={ID}&start=90", ID, 90),
    (f"https://www.youtube.com/watch?v={ID}#t=1m30s", ID, 90),
    (f"https://www.youtube.com/watch/?v={ID}", ID, None),
    (f"https://www.youtube.com/?v={ID}", ID, None),
    (f"https://youtu.be/{ID}", ID, None),
    (f"youtu.be/{ID}", ID, None),
    (f"https://youtu.be/{ID}?t=643", ID, 643),
    (f"https://youtu.be/{ID}?si=Xk2JqL8vN0pQ4rT1&t=95", ID, 95),
    (f"https://youtu.be/{ID}/", ID, None),
    (f"https://www.youtube.com/shorts/{ID}", ID, None),
    (f"https://youtube.com/shorts/{ID}?feature=share", ID, None),
    (f"https://m.youtube.com/shorts/{ID}", ID, None),
    (f"https://www.youtube.com/live/{ID}?si=abc", ID, None),
    (f"https://www.youtube.com/live/{ID}?t=3600", ID, 3600),
    (f"https://www.youtube.com/embed/{ID}", ID, None),
    (f"https://www.youtube.com/embed/{ID}?start=30&autoplay=1", ID, 30),
    (f"https://www.youtube-nocookie.com/embed/{ID}", ID, None),
    (f"https://youtube-nocookie.com/embed/{ID}?rel=0", ID, None),
    (f"https://www.youtube.com/v/{ID}?version=3", ID, None),
    (f"https://www.youtube.com/e/{ID}", ID, None),
    ("https://www.youtube.com/watch?v=_-aZ09Az_-0", "_-aZ09Az_-0", None),
    (f"https://www.youtube.com/watch?v={ID}&t=", ID, None),  # empty t
    (f"https://www.youtube.com/watch?v={ID}&t=abc", ID, None),  # unreadable t ignored
]


INVALID_URLS = [
    # (url, code)
    ("", "empty"),
    ("   ", "empty"),
    (ID, "not_youtube"),  # a bare id is not a link
    ("hello", "not_youtube"),
    (f"https://www.youtube.com.evil.com/watch?v={ID}", "not_youtube"),
    (f"https://evilyoutube.com/watch?v={ID}", "not_youtube"),
    (f"https://youtube.co/watch?v={ID}", "not_youtube"),
    (f"https://www.youtu.be.evil.net/{ID}", "not_youtube"),
    (f"https://evil.com/?u=https://www.youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://evil.com/youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com@evil.com/watch?v={ID}", "not_youtube"),
    (f"https://user:pass@www.youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com:8080/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com:99999/watch?v={ID}", "not_youtube"),
    (f"http://127.0.0.1/watch?v={ID}", "not_youtube"),
    (f"http://169.254.169.254/latest/meta-data?v={ID}", "not_youtube"),
    (f"http://[::1]/watch?v={ID}", "not_youtube"),
    (f"http://localhost/watch?v={ID}", "not_youtube"),
    (f"https://www.yоutube.com/watch?v={ID}", "not_youtube"),  # Cyrillic "о"
    (f"https://www.youtube.com\\@evil.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com/watch?v={ID} https://evil.com", "not_youtube"),
    (f"https://www.youtube.com/watch\n?v={ID}", "not_youtube"),
    ("javascript:alert(document.cookie)//youtube.com/watch?v=" + ID, "scheme"),
    ("file:///etc/passwd", "scheme"),
    (f"ftp://www.youtube.com/watch?v={ID}", "scheme"),
    (f"data:text/html,https://www.youtube.com/watch?v={ID}", "scheme"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXc", "not_video"),  # 10 chars
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQQ", "not_video"),  # 12 chars
    ("https://www.youtube.com/watch?v=dQw4w9WgX$Q", "not_video"),
    ("https://www.youtube.com/watch?v=", "not_video"),
    ("https://www.youtube.com/watch", "not_video"),
    ("https://www.youtube.com/", "not_video"),
    (f"https://youtu.be/{ID}extra", "not_video"),
    (f"https://youtu.be/watch/{ID}", "not_video"),
    ("https://youtu.be/", "not_video"),
    (f"https://www.youtube.com/shorts/{ID}/extra", "not_video"),
    ("https://www.youtube.com/results?search_query=rick", "not_video"),
    (f"https://www.youtube.com/feed/{ID}", "not_video"),
    ("https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "playlist"),
    ("https://www.youtube.com/watch?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "playlist"),
    (
        "https://www.youtube.com/embed/videoseries?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
        "playlist",
    ),
    ("https://www.youtube.com/@RickAstleyYT", "channel"),
    ("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", "channel"),
    ("https://www.youtube.com/c/RickAstley", "channel"),
    ("https://www.youtube.com/user/RickAstleyVEVO", "channel"),
    ("https://www.youtube.com/watch?v=" + ID + "&x=" + "a" * 3000, "too_long"),
]


@pytest.mark.parametrize(("url", "video_id", "start"), VALID_URLS)
def test_parse_youtube_url_accepts_common_forms(url: str, video_id: str, start: int | None) -> None:
    assert parse_video_id(url) == video_id
    assert parse_start_time(url) == start
    assert parse_youtube_url(url) == youtube.YouTubeURL(video_id=video_id, start_time=start)


@pytest.mark.parametrize(("url", "code"), INVALID_URLS)
def test_parse_youtube_url_rejects_everything_else(url: str, code: str) -> None:
    with pytest.raises(InvalidYouTubeURL) as info:
        parse_video_id(url)
    assert info.value.code == code
    # The message is for people: a sentence, and it does not echo the input back.
    assert info.value.message.endswith(".")
    assert len(info.value.message) < 120
    assert parse_start_time(url) is None


def test_invalid_url_is_a_value_error_with_the_message_as_text() -> None:
    with pytest.raises(ValueError, match="not a YouTube link"):
        parse_video_id("https://vimeo.com/123456")


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(InvalidYouTubeURL):
        parse_video_id(None)  # type: ignore[arg-type]


def test_canonical_url_and_id_shape() -> None:
    assert canonical_url(ID) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert parse_video_id(canonical_url(ID)) == ID
    assert is_video_id(ID)
    for bad in ("", "dQw4w9WgXc", "dQw4w9WgXcQQ", "dQw4w9WgX/Q", None, 12345678901):
        assert not is_video_id(bad)
    with pytest.raises(ValueError):
        canonical_url("../../etc/p")


def test_watch_url_is_the_one_builder_and_validates_the_id() -> None:
    assert watch_url(ID) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert watch_url(ID) == canonical_url(ID)
    assert parse_video_id(watch_url(ID)) == ID
    # Tests and settings may point the template elsewhere; only the id is substituted.
    assert watch_url(ID, "http://127.0.0.1:8000/{id}.html") == f"http://127.0.0.1:8000/{ID}.html"
    for bad in ("", "dQw4w9WgXc", "dQw4w9WgXcQQ", "../../etc/p", "dQw4w9WgX&Q", None):
        with pytest.raises(InvalidYouTubeURL) as info:
            watch_url(bad)  # type: ignore[arg-type]
        assert info.value.code == "not_video"
        assert isinstance(info.value, ValueError)  # callers of canonical_url catch ValueError
    # A template without {id} would give every video the same URL.
    with pytest.raises(ValueError, match=r"no \{id\}"):
        watch_url(ID, "https://www.youtube.com/watch")
