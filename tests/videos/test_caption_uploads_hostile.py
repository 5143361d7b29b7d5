"""Hostile caption files on the video page: each is refused with a sentence saying why, and
nothing is stored (no track, no cues on the timeline, an earlier track untouched); a file of
10 000 valid cues is taken whole."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from videos.models import CaptionTrack, SourceVideo, Video

pytestmark = pytest.mark.django_db

GOOD = b"1\n00:00:01,000 --> 00:00:02,000\n[Laughter] good\n"


def png() -> bytes:
    raw = b"\x00" + b"\xff" * 30
    chunk = b"IHDR" + struct.pack(">IIBBBBB", 10, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + zlib.compress(raw))


def cues(n: int) -> bytes:
    """``n`` half-second cues, one a second from 0:00:01."""
    def at(s: int) -> str:
        return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    return "".join(f"{i}\n{at(i)},000 --> {at(i)},500\nline {i}\n\n"
                   for i in range(1, n + 1)).encode()


@pytest.fixture
def video(alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="Mine",
                                        duration=3600)
    return Video.objects.create(user=alice, source=source)


def post(client, video, data: bytes, name: str):
    return client.post(reverse("video_captions", args=[video.pk]),
                       {"caption_file": SimpleUploadedFile(name, data)}, follow=True)


HOSTILE = [
    ("huge.srt", b"1\n00:00:01,000 --> 00:00:02,000\n" + b"a" * 2_100_000, "larger than 2 MB"),
    ("image.srt", png(), "not UTF-8"),
    ("zeros.vtt", b"\x00" * 5000, "must start with WEBVTT"),
    ("nul.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhi\x00\x00\n\n\x00\x00\x00", "time line"),
    ("time.srt", b"1\n00:00:01,000 --> 00:00:02\nhi\n", "cannot be read"),
    ("time.srt", b"1\n00:61:01,000 --> 00:62:02,000\nhi\n", "not valid"),
    ("time.srt", b"1\n99:00:01,000 --> 99:00:02,000\nhi\n", "outside the video"),
    ("time.srt", b"1\n00:00:05,000 --> 00:00:01,000\nhi\n\n2\nno time\n", "time line"),
    ("many.srt", cues(20_001), "too many cues"),
    ("long.srt", b"1\n00:00:01,000 --> 00:00:02,000\n" + "가".encode() * 1001, "too long"),
    ("empty.srt", b"", "Choose a .srt or .vtt file"),  # the form: "the file is empty"
    ("blank.srt", b"\n \n", "no SRT captions"),
    ("captions.ass", b"[Script Info]\n", "must be .srt or .vtt"),
]


@pytest.mark.parametrize(("name", "data", "reason"), HOSTILE,
                         ids=[f"{n}-{r}" for n, _, r in HOSTILE])
def test_a_hostile_file_is_refused_and_nothing_is_stored(alice_client, video, name, data,
                                                         reason):
    page = post(alice_client, video, data, name).content.decode()
    assert reason in page
    assert not CaptionTrack.objects.exists()
    video.source.refresh_from_db()
    assert video.source.caption_cues == {}


def test_a_hostile_file_leaves_the_earlier_track_as_it_was(alice_client, video):
    assert "Captions added: 1 line." in post(alice_client, video, GOOD, "a.srt").content.decode()
    page = post(alice_client, video, png(), "image.srt").content.decode()
    assert "not UTF-8" in page
    track = CaptionTrack.objects.get()
    assert track.cue_count == 1 and track.cues[0][2] == "[Laughter] good"
    video.source.refresh_from_db()
    assert video.source.caption_cues == {"laughter": [1]}


def test_ten_thousand_cues_are_taken_whole(alice_client, video):
    page = post(alice_client, video, cues(10_000), "many.srt").content.decode()
    assert "Captions added: 10000 lines." in page
    track = CaptionTrack.objects.get()
    assert track.cue_count == 10_000 and track.cues[-1][2] == "line 10000"


def test_every_refusal_reason_is_translated() -> None:
    """Each sentence render.captions can refuse a file with has its Korean (the video page
    shows it after "The caption file could not be read:")."""
    from django.utils import translation

    import render
    from videos.caption_reasons import _REASONS, caption_reason

    bad = [(n, d) for n, d, _ in HOSTILE if d and n != "captions.ass"]
    bad += [("a.vtt", b"WEBVTT\n\nnote\n"), ("a.vtt", b"WEBVTT\n\n00:01 --> 00:02\nhi\n"),
            ("a.vtt", b"WEBVTT\n"), ("a.json3", b"{x"), ("a.json3", b"{}"),
            ("a.json3", b'{"events": [{"segs": [{"utf8": "a"}], "tStartMs": "x"}]}'),
            ("a.ass", b"x")]
    seen = set()
    for name, data in bad:
        with pytest.raises(render.CaptionError) as caught:
            render.parse_captions(data, name)
        seen.add(str(caught.value))
        with translation.override("ko"):
            reason = caption_reason(caught.value)
        assert str(caught.value) in _REASONS
        assert any("\uac00" <= ch <= "\ud7a3" for ch in reason), reason
    assert len(seen) >= 12
