"""Issue: adding a video (local upload + comments file) in the browser ends with 5 clips on its
page, each explained and downloadable. Real daphne, real django-q2 worker, real ffmpeg."""

import re

import pytest

from tests.e2e.helpers import sign_up
from tests.media import comments_jsonl, make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_upload_with_comments_gives_five_explained_clips(page, product, tmp_path):
    video = make_video(tmp_path / "talk.mp4", seconds=130)
    comments = tmp_path / "comments.jsonl"
    comments.write_bytes(comments_jsonl({12: 3, 37: 8, 62: 5, 87: 6, 112: 4, 125: 1},
                                        extra=["great talk", "16:9 looks nice"]))
    sign_up(page, "frank")
    page.get_by_role("link", name="My videos", exact=True).click()
    page.set_input_files("#id_file", str(video))
    page.set_input_files("#id_comments_file", str(comments))
    page.get_by_role("button", name="Find the moments").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    # The page follows the job live, then reloads itself when it is done.
    page.wait_for_selector("ol.moments li.moment", timeout=180_000)
    page.wait_for_function(
        "document.querySelectorAll('ol.moments li.moment video').length === 5", timeout=180_000)
    moments = page.locator("ol.moments li.moment")
    assert moments.count() == 5
    assert "8 mentions from 8 different viewers" in moments.nth(0).inner_text()
    assert moments.nth(0).locator("q").count() >= 1  # the comments that chose it
    assert page.locator("svg.timeline rect.bar").count() >= 5  # the chart
    playable = page.evaluate("""() => new Promise(resolve => {
        const v = document.querySelector('ol.moments video');
        if (v.readyState >= 1) return resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration));
        v.load();
    })""")
    assert playable == pytest.approx(20, abs=0.2)
    with page.expect_download() as info:
        moments.nth(0).get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith(".mp4")
    path = download.path()
    with open(path, "rb") as handle:
        assert handle.read(8)[4:8] == b"ftyp"
    rows = product.query(  # the product is shared by the browser tests: only frank's clips
        "select status, count(*) from clips_clip where user_id = "
        "(select id from accounts_user where username = ?) group by status", ("frank",))
    assert rows == [("ready", 5)]


def test_a_form_error_keeps_the_chosen_files(page, product, tmp_path):
    """The upload goes through the page script (progress bar); a bad comments file answers
    with the form's error, and both chosen files are still in the form to try again."""
    video = make_video(tmp_path / "clip.mp4", seconds=5)
    bad = tmp_path / "comments.json"
    bad.write_text("this is not json {")
    sign_up(page, "yuna")
    page.goto("/videos/")
    page.set_input_files("#id_file", str(video))
    page.set_input_files("#id_comments_file", str(bad))
    page.get_by_role("button", name="Find the moments").click()
    alert = page.locator("#add-video [role=alert]")
    alert.wait_for()
    assert "The comments file could not be read" in alert.inner_text()
    assert page.url.endswith("/videos/")
    kept = page.evaluate("""() => [...document.querySelectorAll('#add-video input[type=file]')]
                              .map(i => [i.name, i.files.length ? i.files[0].name : ''])""")
    assert kept == [["file", "clip.mp4"], ["comments_file", "comments.json"]]
    assert page.locator("#add-video [data-upload-status]").count() == 1  # the progress box
    assert not product.query("select v.id from analysis_libraryvideo v join accounts_user u "
                             "on u.id = v.user_id where u.username = 'yuna'")
