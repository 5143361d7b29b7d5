"""Shared by the tests of youtube (and tests/analysis): fixtures on disk, a recorder of calls,
a stand-in for yt_dlp.YoutubeDL, ffmpeg helpers, and a static HTTP handler with byte ranges."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import imageio_ffmpeg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
VIDEO_ID = "dQw4w9WgXcQ"
API_KEY = "test-key-AIzaSyDoNotLeakMe"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_text(name))


class Recorder:
    """A callback that records its calls (one argument alone, several as a tuple)."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args if len(args) > 1 else args[0])


class FakeYDL:
    """Stands in for yt_dlp.YoutubeDL: records options and URLs, returns or raises."""

    def __init__(self, options: dict[str, Any], result: Any) -> None:
        self.options = options
        self.result = result
        self.urls: list[str] = []

    def __enter__(self) -> FakeYDL:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def extract_info(self, url: str, download: bool = True) -> Any:
        self.urls.append(url)
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


def fake_factory(result: Any) -> tuple[list[FakeYDL], Any]:
    made: list[FakeYDL] = []

    def factory(options: dict[str, Any]) -> FakeYDL:
        made.append(FakeYDL(options, result))
        return made[-1]

    return made, factory


FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single-range support (yt-dlp may ask for byte ranges), quiet logs,
    and a record of the paths requested."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def send_head(self):
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        self._remaining = None
        range_header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not range_header or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
        if not match or match.groups() == ("", ""):
            return super().send_head()
        first, last = match.groups()
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = open(path, "rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile) -> None:
        try:
            if self._remaining is None:
                super().copyfile(source, outputfile)
                return
            remaining = self._remaining
            while remaining > 0:
                block = source.read(min(64 * 1024, remaining))
                if not block:
                    break
                outputfile.write(block)
                remaining -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            # yt-dlp closes connections early on purpose (probing, aborting): not an error.
            pass


def run_ffmpeg(*args: str) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=60
    )


def probe(path: Path) -> str:
    """ffmpeg's description of a file's streams (there is no ffprobe here)."""
    result = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.stderr


def duration_of(path: Path) -> float:
    match = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", probe(path))
    assert match, probe(path)
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
