"""youtube.download: format choice, limits, progress and clean failure, with real yt-dlp and
ffmpeg against the local media server."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest

import youtube
from tests.youtube.helpers import (
    FFMPEG,
    VIDEO_ID,
    FakeYDL,
    Recorder,
    duration_of,
    probe,
)
from youtube import DownloadError, canonical_url, download_video


def test_format_selector_prefers_h264_mp4_within_the_height() -> None:
    selector = youtube.video_format_selector(720)
    alternatives = selector.split("/")
    assert alternatives[0] == "bv*[height<=?720][vcodec^=avc1]+ba[ext=m4a]"
    assert all("height<=?720" in a for a in alternatives)


def test_download_refuses_live_streams_before_downloading(tmp_path: Path) -> None:
    class LiveYDL(FakeYDL):
        def extract_info(self, url: str, download: bool = True) -> Any:
            # What yt-dlp does before downloading: run the match filter on the extracted info.
            self.options["match_filter"]({"id": VIDEO_ID, "is_live": True}, incomplete=True)
            raise AssertionError("the filter should have refused")

    with pytest.raises(DownloadError) as info:
        download_video(canonical_url(VIDEO_ID), tmp_path, ffmpeg_location=FFMPEG,
                       ydl_factory=lambda o: LiveYDL(o, None))
    assert info.value.code == "live"
    assert list(tmp_path.iterdir()) == []


def test_download_uses_the_ffmpeg_it_is_given_and_never_looks_for_one(tmp_path: Path) -> None:
    # The one ffmpeg resolver is render.find_ffmpeg; youtube only passes on what it is given.
    made: list[FakeYDL] = []

    def factory(options: dict[str, Any]) -> FakeYDL:
        made.append(FakeYDL(options, DownloadError("stop here", code="network")))
        return made[-1]

    with pytest.raises(DownloadError):
        download_video(canonical_url(VIDEO_ID), tmp_path, ffmpeg_location="/opt/ff/ffmpeg",
                       ydl_factory=factory)
    assert [ydl.options["ffmpeg_location"] for ydl in made] == ["/opt/ff/ffmpeg"]
    with pytest.raises(TypeError, match="ffmpeg_location"):
        download_video(canonical_url(VIDEO_ID), tmp_path, ydl_factory=factory)  # type: ignore[call-arg]


def test_download_video_writes_an_mp4_under_a_generated_name_and_reports_progress(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, root = media_server
    progress = Recorder()
    out = download_video(
        f"{base}/page.html", tmp_path / "videos", on_progress=progress, ffmpeg_location=FFMPEG
    )

    assert out.parent == tmp_path / "videos"
    assert re.fullmatch(r"[0-9a-f]{32}\.mp4", out.name)
    assert list(out.parent.iterdir()) == [out]  # no temp folder, no .part, nothing else
    assert out.read_bytes() == (root / "clip.mp4").read_bytes()
    description = probe(out)
    assert "Video: h264" in description and "Audio: aac" in description
    assert duration_of(out) == pytest.approx(3.0, abs=0.1)

    percents = [p for p, _ in progress.calls]
    assert percents[0] == 0.0 and percents[-1] == 100.0
    assert percents == sorted(percents)
    assert len({p for p in percents if 0 < p < 100}) >= 3
    assert progress.calls[-1][1] == "Downloaded"


def test_download_video_merges_separate_h264_and_aac_streams(media_server, tmp_path: Path) -> None:
    base, server, _ = media_server
    progress = Recorder()
    out = download_video(
        f"{base}/dash/manifest.mpd", tmp_path, max_height=1080, on_progress=progress,
        ffmpeg_location=FFMPEG,
    )

    description = probe(out)
    assert "Video: h264" in description and "Audio: aac" in description
    assert "320x240" in description
    assert duration_of(out) == pytest.approx(3.0, abs=0.15)
    assert out.suffix == ".mp4" and list(tmp_path.iterdir()) == [out]
    # The 1440p stream is over the height limit and was never requested.
    assert not any("missing-1440" in path for path in server.requested)
    messages = [m for _, m in progress.calls]
    assert "Downloading part 1 of 2" in messages and "Downloading part 2 of 2" in messages
    assert "Merging audio and video" in messages
    percents = [p for p, _ in progress.calls]
    assert percents == sorted(percents) and percents[-1] == 100.0


def test_download_video_refuses_a_file_over_the_size_limit_and_leaves_nothing(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, root = media_server
    limit = (root / "clip.mp4").stat().st_size // 2
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/clip.mp4", tmp_path, max_filesize=limit, ffmpeg_location=FFMPEG)
    assert info.value.code == "too_large"
    assert info.value.permanent is True
    assert "MB" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_download_video_refuses_a_video_over_the_duration_limit(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, _ = media_server
    progress = Recorder()
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/page.html", tmp_path, max_duration=2.0, on_progress=progress,
                       ffmpeg_location=FFMPEG)
    assert info.value.code == "too_long"
    assert info.value.permanent is True
    assert "0:03" in info.value.message and "0:02" in info.value.message
    # Refused from the extracted duration, before any byte of the file was downloaded.
    assert progress.calls == [(0.0, "Starting download")]
    assert list(tmp_path.iterdir()) == []


def test_download_video_of_a_missing_url(media_server, tmp_path: Path) -> None:
    base, _, _ = media_server
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/gone.mp4", tmp_path, ffmpeg_location=FFMPEG)
    assert info.value.code == "video_not_found"
    assert list(tmp_path.iterdir()) == []


def test_download_video_when_nothing_listens(tmp_path: Path) -> None:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused at once.
    with pytest.raises(DownloadError) as info:
        download_video(f"http://127.0.0.1:{port}/clip.mp4", tmp_path, socket_timeout=5,
                       ffmpeg_location=FFMPEG)
    assert info.value.code == "network"
    assert info.value.permanent is False
    assert list(tmp_path.iterdir()) == []


def test_an_exception_from_on_progress_reaches_the_caller_unchanged(
    media_server, tmp_path: Path
) -> None:
    base, _, _ = media_server

    class JobCancelled(Exception):
        pass

    def cancel_midway(percent: float, message: str) -> None:
        if percent > 10:
            raise JobCancelled

    with pytest.raises(JobCancelled):
        download_video(f"{base}/clip.mp4", tmp_path, on_progress=cancel_midway,
                       ffmpeg_location=FFMPEG)
    assert list(tmp_path.iterdir()) == []
