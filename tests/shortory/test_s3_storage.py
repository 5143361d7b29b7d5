"""Media on S3-compatible object storage: a real S3 server (moto in server mode) on
127.0.0.1, django-storages' S3 backend. Upload, render (locally, then stored), presigned
download, zip, delete."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clips.models import Clip
from tests.media import comments_jsonl
from videos.models import SourceVideo, Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
BUCKET = "shortory-test-media"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2)
            break
        except OSError:
            assert process.poll() is None, "moto server exited"
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    from shortory.env import s3_storage_options

    options = s3_storage_options(
        f"s3://{BUCKET}/media?endpoint_url={s3_server}&region=us-east-1", {})
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "storages.backends.s3.S3Storage",
                                     "OPTIONS": options}}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_upload_render_download_zip_and_delete_on_s3(s3, alice_client, alice, sample_video,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("v.mp4", sample_video.read_bytes()),
            "comments_file": SimpleUploadedFile("c.jsonl", comments_jsonl({14: 5, 40: 3})),
            "top_k": 2, "clip_before": 2, "clip_after": 2, "aspect": "source"})
    assert response.status_code == 302
    video = Video.objects.get(user=alice)
    assert video.status == Video.Status.READY, video.error
    clips = list(Clip.objects.filter(user=alice).order_by("moment__rank"))
    assert [c.status for c in clips] == ["ready", "ready"]
    keys = _keys(s3)
    assert f"media/{video.source.file.name}" in keys
    for clip in clips:  # rendered locally, then stored as whole objects
        assert f"media/{clip.file.name}" in keys and f"media/{clip.thumbnail.name}" in keys
        head = s3.head_object(Bucket=BUCKET, Key=f"media/{clip.file.name}")
        assert head["ContentLength"] == clip.size_bytes > 1000

    download = alice_client.get(reverse("clip_download", args=[clips[0].pk]))
    assert download.status_code == 302
    assert "X-Amz-Signature=" in download["Location"]  # presigned, private object
    with urllib.request.urlopen(download["Location"], timeout=30) as fetched:
        data = fetched.read()
        assert "attachment" in fetched.headers["Content-Disposition"]
    assert data[4:8] == b"ftyp" and len(data) == clips[0].size_bytes
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(download["Location"].split("?")[0], timeout=30)  # unsigned
    assert alice_client.get(reverse("video_file", args=[video.pk])).status_code == 302

    Clip.objects.filter(pk__in=[c.pk for c in clips]).update(kind="emotion", emotion="happy")
    archive = alice_client.get(reverse("gallery_zip", args=["happy"]))
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zipped:
        assert len(zipped.namelist()) == 2
        assert all(zipped.read(name)[4:8] == b"ftyp" for name in zipped.namelist())

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_delete", args=[video.pk]))
    assert not SourceVideo.objects.exists() and not Clip.objects.exists()
    assert _keys(s3) == set()  # django-cleanup removed every object
