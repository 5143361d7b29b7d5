"""Captions of an own upload: the .srt added on the video page (bad files store nothing), its
cues on the timeline, the clip's .srt download cut to the clip, and the per-clip switch that
renders the clip again with the captions burned in (real ffmpeg, tasks inline)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clips.models import Clip
from jobs.models import Job
from tests.media import comments_jsonl
from videos.models import CaptionTrack, Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SRT = """1
00:00:38,000 --> 00:00:40,000
[Laughter] 안녕하세요 hello

2
00:00:41,500 --> 00:00:42,500
second line

3
00:00:50,000 --> 00:00:51,000
outside the clip
""".encode()


def add_video(client, sample_video: Path, capture) -> Video:
    with capture(execute=True):
        client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("talk.mp4", sample_video.read_bytes(),
                                       content_type="video/mp4"),
            "comments_file": SimpleUploadedFile("c.jsonl", comments_jsonl({40: 3})),
            "top_k": 1, "clip_before": 3, "clip_after": 3, "aspect": "9:16"})
    return Video.objects.get()


def post_captions(client, video: Video, data: bytes, name: str = "talk.srt"):
    return client.post(reverse("video_captions", args=[video.pk]),
                       {"caption_file": SimpleUploadedFile(name, data)}, follow=True)


def test_captions_file_cues_srt_download_and_burned_in_switch(
        alice_client, bob_client, sample_video, django_capture_on_commit_callbacks):
    video = add_video(alice_client, sample_video, django_capture_on_commit_callbacks)
    clip = Clip.objects.get()
    assert (clip.status, clip.captions, clip.start, clip.end) == ("ready", False, 37, 43)

    # Bad files are refused with a reason and store nothing.
    page = post_captions(alice_client, video, b"1\n00:00:01,000 -> 00:00:02,000\nhi\n")
    assert "The caption file could not be read" in page.content.decode()
    assert not CaptionTrack.objects.exists()
    page = post_captions(alice_client, video, b"hello", name="notes.txt")
    assert "must be .srt or .vtt" in page.content.decode()
    # Another user cannot add captions to alice's video.
    assert post_captions(bob_client, video, SRT).status_code == 404
    assert not CaptionTrack.objects.exists()

    page = post_captions(alice_client, video, SRT)
    assert "Captions added: 3 lines." in page.content.decode()
    track = CaptionTrack.objects.get(source=video.source)
    assert track.origin == "upload" and track.cues[0][2] == "[Laughter] 안녕하세요 hello"
    video.source.refresh_from_db()
    assert video.source.caption_cues == {"laughter": [38, 39]}
    assert 'data-cue="laughter"' in page.content.decode()  # on the timeline chart

    srt = alice_client.get(reverse("clip_subtitles", args=[clip.pk]))
    assert srt.status_code == 200 and "attachment" in srt["Content-Disposition"]
    assert srt.content.decode() == (
        "1\n00:00:01,000 --> 00:00:03,000\n[Laughter] 안녕하세요 hello\n\n"
        "2\n00:00:04,500 --> 00:00:05,500\nsecond line\n\n")
    assert bob_client.get(reverse("clip_subtitles", args=[clip.pk])).status_code == 404
    api = alice_client.get(reverse("api_clip", args=[clip.pk])).json()
    assert api["captions"] is False and api["subtitles_url"].endswith(
        reverse("api_clip_subtitles", args=[clip.pk]))

    # bob cannot switch alice's clip; alice can, and the clip is rendered again.
    assert bob_client.post(reverse("clip_captions", args=[clip.pk]),
                           {"captions": "on"}).status_code == 404
    old_file = clip.file.name
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("clip_captions", args=[clip.pk]), {"captions": "on"})
    clip.refresh_from_db()
    assert (clip.captions, clip.status) == (True, "ready") and clip.file.name != old_file
    job = Job.objects.get(kind=Job.Kind.CLIP_RENDER)
    assert (job.status, job.target) == ("done", f"clip:{clip.pk}")
    assert Path(clip.file.path).stat().st_size > 1000


def test_youtube_videos_take_no_caption_file(alice, alice_client):
    from videos.models import SourceVideo

    source = SourceVideo.objects.create(kind="youtube", youtube_id="dQw4w9WgXcQ", title="t")
    video = Video.objects.create(user=alice, source=source)
    page = post_captions(alice_client, video, SRT)
    assert "own uploaded videos only" in page.content.decode()
    assert not CaptionTrack.objects.exists()
