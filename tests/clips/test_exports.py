"""A video's exports through the page and the API, with the clips' edited windows; the MLT
project rendered by a real editor engine (Debian's melt) when it is installed."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pycmx
import pytest
from django.urls import reverse
from lxml import etree

import render
from clips.models import Clip

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def download(client, video, fmt: str) -> str:
    response = client.get(reverse("video_export", args=[video.pk, fmt]))
    assert response.status_code == 200, fmt
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def test_exports_of_a_video(alice_client, alice_video, top_clip):
    Clip.objects.filter(pk=top_clip.pk).update(end=48)  # as if extended by 5 s
    edl = pycmx.parse_cmx3600(io.StringIO(download(alice_client, alice_video, "edl")))
    edits = [edit for event in edl.events for edit in event.edits]
    assert len(edits) == 5
    # time order: 2–8, 11–17, 24–30, 37–48 (the edited clip), 49–55; 25 fps
    assert [e.source_in for e in edits] == ["00:00:02:00", "00:00:11:00", "00:00:24:00",
                                            "00:00:37:00", "00:00:49:00"]
    assert edits[3].source_out == "00:00:48:00"
    assert edits[-1].record_out == "01:00:35:00"  # 6+6+6+11+6 s after 01:00:00:00

    tree = etree.fromstring(download(alice_client, alice_video, "fcpxml").encode())
    assert tree.tag == "fcpxml" and tree.get("version") == "1.9"
    assert tree.find("resources/format").get("frameDuration") == "1/25s"
    clips = tree.findall(".//spine/asset-clip")
    assert [c.get("start") for c in clips] == ["2s", "11s", "24s", "37s", "49s"]
    assert clips[3].get("duration") == "11s" and clips[3].get("name") == "#1 · 0:40 · 9 viewers"

    data = json.loads(download(alice_client, alice_video, "json"))
    assert [m["rank"] for m in data["moments"]] == [1, 2, 3, 4, 5]
    first = data["moments"][0]
    assert (first["start"], first["end"], first["detected"]) == (37, 48, {"start": 37, "end": 43})
    assert first["clip"] == top_clip.pk

    srt = download(alice_client, alice_video, "srt")
    assert "00:00:37,000 --> 00:00:48,000\n#1 · 0:40 · 9 viewers" in srt

    page = alice_client.get(reverse("video_detail", args=[alice_video.pk])).content.decode()
    for fmt in ("fcpxml", "edl", "srt", "json", "mlt"):
        assert reverse("video_export", args=[alice_video.pk, fmt]) in page


def test_export_api_and_bad_input(api_client, alice, bob, alice_video):
    api_client.force_authenticate(alice)
    ok = api_client.get(f"/api/v1/videos/{alice_video.pk}/exports/edl/")
    assert ok.status_code == 200 and ok.content.startswith(b"TITLE: holiday")
    assert api_client.get(f"/api/v1/videos/{alice_video.pk}/exports/docx/").status_code == 404
    api_client.force_authenticate(bob)
    assert api_client.get(f"/api/v1/videos/{alice_video.pk}/exports/edl/").status_code == 404


def test_another_user_gets_no_export(bob_client, alice_video):
    for fmt in ("edl", "fcpxml", "json", "srt", "mlt"):
        assert bob_client.get(reverse("video_export", args=[alice_video.pk, fmt])).status_code \
            == 404


def test_the_source_downloads_under_the_name_the_timelines_use(alice_client, alice_video):
    mlt = etree.fromstring(download(alice_client, alice_video, "mlt").encode())
    name = mlt.find("producer/property[@name='resource']").text
    edl = download(alice_client, alice_video, "edl")
    assert f"* FROM CLIP NAME: {name}" in edl
    response = alice_client.get(reverse("video_file", args=[alice_video.pk]) + "?download=1")
    assert response.status_code == 200
    # The response's own name wins over the link's download attribute in browsers.
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    page = alice_client.get(reverse("video_detail", args=[alice_video.pk])).content.decode()
    assert reverse("video_file", args=[alice_video.pk]) + "?download=1" in page
    # The player's plain URL stays inline.
    plain = alice_client.get(reverse("video_file", args=[alice_video.pk]))
    assert "attachment" not in plain.get("Content-Disposition", "")


@pytest.mark.skipif(shutil.which("melt") is None, reason="melt (MLT) is not installed: "
                    "apt-get install melt")
def test_melt_renders_the_mlt_export(alice_client, alice_video, tmp_path):
    project = tmp_path / "moments.mlt"
    text = download(alice_client, alice_video, "mlt")
    source = Path(alice_video.source.file.path)
    # The export names the file as downloaded; put it beside the project under that name.
    name = etree.fromstring(text.encode()).find("producer/property[@name='resource']").text
    shutil.copy(source, tmp_path / name)
    project.write_text(text, encoding="utf-8")
    out = tmp_path / "render.mp4"
    subprocess.run(["melt", "-quiet", str(project), "-consumer", f"avformat:{out}",
                    "vcodec=libx264", "acodec=aac"], check=True, capture_output=True,
                   timeout=300, cwd=tmp_path)
    info = render.probe_media(out)
    assert info.duration == pytest.approx(5 * 6, abs=0.15)  # five 6 s moments, joined
    assert (info.width, info.height) == (320, 240)
