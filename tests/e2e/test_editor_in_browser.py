"""Issue 11 in the browser: a user extends a clip by 5 s, makes a reel of 5 moments, downloads
the FCPXML and EDL, shares a clip and revokes the link. Real daphne, worker, ffmpeg, moviepy."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.e2e.helpers import sign_up
from tests.media import comments_jsonl, make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_extend_reel_exports_share_and_revoke(page, product, tmp_path, browser):
    video = make_video(tmp_path / "trip.mp4", seconds=130)
    comments = tmp_path / "comments.jsonl"
    comments.write_bytes(comments_jsonl({12: 3, 37: 8, 62: 5, 87: 6, 112: 4}))
    sign_up(page, "hana")
    page.get_by_role("link", name="My videos", exact=True).click()
    page.set_input_files("#id_file", str(video))
    page.set_input_files("#id_comments_file", str(comments))
    page.get_by_role("button", name="Find the moments").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    page.wait_for_function(
        "document.querySelectorAll('ol.moments li.moment video').length === 5", timeout=180_000)
    video_url = page.url

    # --- extend the best clip (0:27–0:47, ±10 s around 0:37) by 5 s ---
    page.locator("ol.moments li.moment").nth(0).get_by_role("link", name="Edit or share").click()
    page.wait_for_url(re.compile(r"/clips/\d+/edit/$"))
    clip_id = int(re.search(r"/clips/(\d+)/", page.url).group(1))
    start, end = product.query("select start, \"end\" from clips_clip where id=?", (clip_id,))[0]
    page.get_by_role("group", name="End").get_by_role("button", name="+5 s").click()
    assert float(page.input_value("#clip-end")) == pytest.approx(end + 5)
    assert float(page.eval_on_selector("#end-handle", "e => e.value")) == pytest.approx(end + 5)
    page.get_by_role("button", name="Preview the new range").click()
    page.wait_for_function(
        f"document.querySelector('[data-preview]').currentTime >= {start - 0.5}")
    page.get_by_role("button", name="Re-cut the clip").click()
    page.wait_for_url(re.compile(r"/clips/\d+/edit/$"))
    page.wait_for_function("!document.querySelector('[data-reload-when-done]')",
                           timeout=120_000)
    assert product.query("select start, \"end\", pending_start from clips_clip where id=?",
                         (clip_id,)) == [(start, end + 5, None)]
    assert page.get_by_role("button", name=re.compile("Reset to the original")).count() == 1

    # --- share it, open the link signed out, revoke it ---
    page.get_by_role("button", name="Create a share link").click()
    share_url = page.input_value("#share-url")
    assert re.fullmatch(rf"{re.escape(product.base_url)}/s/[A-Za-z0-9_-]{{43}}/", share_url)
    visitor = browser.new_context(locale="en-US")
    public = visitor.new_page()
    public.goto(share_url)
    image = public.get_attribute('meta[property="og:image"]', "content")
    assert image == share_url + "poster.jpg" and status_of(image) == 200
    duration = public.evaluate("""() => new Promise(resolve => {
        const v = document.querySelector('video');
        if (v.readyState >= 1) return resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration));
        v.load();
    })""")
    assert duration == pytest.approx(end + 5 - start, abs=0.2)
    page.get_by_role("button", name=re.compile("Stop sharing")).click()
    page.wait_for_load_state()
    assert status_of(share_url) == 404 and status_of(image) == 404
    visitor.close()

    # --- a reel of the 5 moments, with title cards ---
    page.goto(video_url)
    page.get_by_role("link", name="Make a highlight reel").click()
    assert page.locator('input[name="clips"]:checked').count() == 5
    page.get_by_label("Best first").check()
    page.get_by_label(re.compile("Title cards")).check()
    page.get_by_role("button", name="Make the reel").click()
    page.wait_for_url(re.compile(r"/reels/\d+/$"))
    page.wait_for_selector("video[src$='/file/']", timeout=240_000)
    rows = product.query("select status, duration from clips_reel")
    assert rows[0][0] == "ready" and rows[0][1] > 20

    # --- the timelines ---
    page.goto(video_url)
    for name, check in (("FCPXML", b"<fcpxml version=\"1.9\">"), ("EDL", b"FCM: NON-DROP FRAME")):
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile(name)).click()
        with open(info.value.path(), "rb") as handle:
            assert check in handle.read()
