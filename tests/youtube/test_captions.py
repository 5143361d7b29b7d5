"""youtube.fetch_captions: real yt-dlp against a local page with caption tracks (json3 with
word offsets, vtt), the choice of language and kind, and the size bound."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from render import parse_captions
from tests.youtube.helpers import RangeRequestHandler, run_ffmpeg
from youtube import HarvestError, fetch_captions
from youtube.captions import MAX_CAPTION_BYTES, choose_track

JSON3 = {"events": [
    {"tStartMs": 500, "dDurationMs": 2000, "segs": [
        {"utf8": "안녕하세요"}, {"utf8": " 여러분", "tOffsetMs": 700}]},
    {"tStartMs": 2600, "dDurationMs": 800, "segs": [{"utf8": "[웃음]"}]},
]}
VTT = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello everyone\n\n00:02.100 --> 00:02.900\n[Laughter]\n"


@pytest.fixture(scope="module")
def caption_server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("captions")
    run_ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=3",
               "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
               str(root / "clip.mp4"))
    (root / "subs.ko.json3").write_text(json.dumps(JSON3), encoding="utf-8")
    (root / "subs.en.vtt").write_text(VTT, encoding="utf-8")
    (root / "big.en.vtt").write_text("WEBVTT\n\n" + "x" * (MAX_CAPTION_BYTES + 10))
    tracks = ('<track kind="captions" src="subs.en.vtt" srclang="en">'
              '<track kind="subtitles" src="subs.ko.json3" srclang="ko">')
    for name, body in (("page.html", tracks),
                       ("big.html", '<track kind="captions" src="big.en.vtt" srclang="en">'),
                       ("none.html", "")):
        (root / name).write_text(f'<!doctype html><html><head><title>t</title></head><body>'
                                 f'<video src="clip.mp4">{body}</video></body></html>')
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(RangeRequestHandler, directory=str(root)))
    server.requested = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_json3_track_in_the_wanted_language_with_word_offsets(caption_server) -> None:
    base, server = caption_server
    track = fetch_captions(f"{base}/page.html", languages=["ko", "en"])
    assert track is not None
    assert (track.language, track.automatic, track.ext) == ("ko", False, "json3")
    cues = parse_captions(track.data, "captions.json3")
    assert [c.text for c in cues] == ["안녕하세요 여러분", "[웃음]"]
    assert [w.start for w in cues[0].words] == [0.5, 1.2]
    assert "/subs.ko.json3" in server.requested


def test_vtt_track_when_english_is_wanted(caption_server) -> None:
    base, _ = caption_server
    track = fetch_captions(f"{base}/page.html", languages=["en-US"])
    assert track is not None and (track.language, track.ext) == ("en", "vtt")
    assert [c.text for c in parse_captions(track.data, "c.vtt")] == ["Hello everyone",
                                                                     "[Laughter]"]


def test_no_track_in_a_wanted_language_is_none(caption_server) -> None:
    base, _ = caption_server
    assert fetch_captions(f"{base}/page.html", languages=["fr"]) is None
    assert fetch_captions(f"{base}/none.html", languages=["en"]) is None


def test_an_oversized_track_is_refused(caption_server) -> None:
    base, _ = caption_server
    with pytest.raises(HarvestError) as info:
        fetch_captions(f"{base}/big.html", languages=["en"])
    assert info.value.code == "too_large"


def test_unreachable_server_is_a_harvest_error(tmp_path: Path) -> None:
    with pytest.raises(HarvestError):
        fetch_captions("http://127.0.0.1:9/page.html", languages=["en"], socket_timeout=2)


def test_choice_video_language_first_uploaded_before_automatic_original_before_translated():
    info = {
        "language": "ko",
        "subtitles": {"en": [{"ext": "vtt", "url": "u-en"}]},
        "automatic_captions": {
            "ko": [{"ext": "vtt", "url": "a-ko-tr"}, {"ext": "json3", "url": "a-ko-tr3"}],
            "ko-orig": [{"ext": "json3", "url": "a-ko-orig"}],
            "en": [{"ext": "json3", "url": "a-en"}],
        },
    }
    assert choose_track(info, ["en"]) == ("ko-orig", True, {"ext": "json3", "url": "a-ko-orig"})
    info["subtitles"]["ko"] = [{"ext": "srv3", "url": "x"}, {"ext": "vtt", "url": "u-ko"}]
    assert choose_track(info, ["en"]) == ("ko", False, {"ext": "vtt", "url": "u-ko"})
    del info["language"]
    assert choose_track(info, ["en"]) == ("en", False, {"ext": "vtt", "url": "u-en"})
    assert choose_track({"subtitles": {"live_chat": [{"ext": "json3", "url": "c"}]}},
                        ["live_chat"]) is None
