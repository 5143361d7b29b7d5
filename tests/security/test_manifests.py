"""Uploaded manifests and playlists must never make ffmpeg read other files (issue 13, item 3):
only real video containers are accepted, and every ffmpeg on a user's file runs with the
`file` protocol only and the container demuxers only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from render import MediaError, probe_media, render_clip
from videos.models import SourceVideo, Video


@pytest.fixture
def secret_video(tmp_path, sample_video) -> Path:
    """A server file the attacker wants in their clip."""
    secret = tmp_path / "server-only" / "secret.mp4"
    secret.parent.mkdir()
    secret.write_bytes(sample_video.read_bytes())
    return secret


def dash(secret: Path) -> str:
    return f"""<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT60S"
     minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
 <Period><AdaptationSet mimeType="video/mp4">
  <Representation id="1" bandwidth="100000" codecs="avc1"><BaseURL>{secret}</BaseURL>
  </Representation></AdaptationSet></Period></MPD>
"""


def hls(secret: Path) -> str:
    return ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:60\n"
            f"#EXTINF:60.0,\nfile://{secret}\n#EXT-X-ENDLIST\n")


def concat(secret: Path) -> str:
    return f"ffconcat version 1.0\nfile '{secret}'\n"


MANIFESTS = {"DASH": dash, "HLS": hls, "concat": concat}


@pytest.mark.parametrize("kind", MANIFESTS)
def test_a_manifest_named_mp4_is_not_a_video(kind, tmp_path, secret_video):
    upload = tmp_path / "innocent.mp4"
    upload.write_text(MANIFESTS[kind](secret_video))
    with pytest.raises(MediaError, match="not a video|not accepted"):
        probe_media(upload)
    # Even a render asked for directly (past the upload check) reads nothing through it.
    with pytest.raises(MediaError):
        render_clip(upload, 1, 3, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", MANIFESTS)
def test_uploading_a_manifest_is_refused_and_nothing_is_kept(kind, api_client, alice,
                                                             secret_video, settings):
    api_client.force_authenticate(alice)
    response = api_client.post("/api/v1/videos/", {"file": SimpleUploadedFile(
        "holiday.mp4", MANIFESTS[kind](secret_video).encode(), "video/mp4")},
        format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["extra"] == {"field": "file"}
    assert not SourceVideo.objects.exists() and not Video.objects.exists()


def test_the_real_containers_are_still_accepted(tmp_path, sample_video):
    from tests.render.helpers import run_ffmpeg

    for suffix, extra in ((".mkv", ()), (".webm", ("-c:v", "libvpx-vp9", "-c:a", "libopus")),
                          (".avi", ("-c:v", "mpeg4", "-c:a", "mp3")), (".ts", ())):
        out = tmp_path / f"v{suffix}"
        run_ffmpeg("-i", str(sample_video), "-t", "2", *extra, str(out))
        assert probe_media(out).duration == pytest.approx(2, abs=0.2), suffix
