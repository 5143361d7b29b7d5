"""Issue 11 against the live product, as an attacker: markup in a video's title and in comment
texts (owner's page, share page, exports), hostile ranges posted past the editor's inputs,
guessed tokens, another user's clip on every endpoint, report spam, and a revoked link.
Real daphne, worker and ffmpeg; the MLT export is rendered by Debian's melt when installed."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess

import pytest
from lxml import etree

from tests.e2e.helpers import sign_up
from tests.e2e.test_editor_in_browser import status_of
from tests.media import comments_jsonl, make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOAD = "<img src=x onerror=window.__pwned=1>"
TITLE = f'Trip "best" {PAYLOAD} & \'q\''


def post_form(page, url: str, data: dict) -> int:
    """POST a form as the page would, past its inputs' own limits (CSRF token included)."""
    return page.evaluate("""async ([url, data]) => {
        const body = new URLSearchParams(data);
        body.set('csrfmiddlewaretoken',
                 document.querySelector('[name=csrfmiddlewaretoken]').value);
        const r = await fetch(url, {method: 'POST', body, redirect: 'manual'});
        return r.status || 302;
    }""", [url, data])


def test_attacker_in_the_browser(page, product, tmp_path, browser):
    video = make_video(tmp_path / f"{TITLE}.mp4", seconds=70)
    comments = tmp_path / "comments.jsonl"
    comments.write_bytes(comments_jsonl({12: 3, 37: 5, 55: 4},
                                        extra=[f"0:37 {PAYLOAD}", "0:37 <script>window.__pwned=2</script>"]))
    sign_up(page, "mina")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("link", name="My videos", exact=True).click()
    page.set_input_files("#id_file", str(video))
    page.set_input_files("#id_comments_file", str(comments))
    page.get_by_role("button", name="Find the moments").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    page.wait_for_function(
        "document.querySelectorAll('ol.moments li.moment video').length === 3", timeout=180_000)
    video_url = page.url
    assert page.evaluate("window.__pwned") is None and PAYLOAD not in page.content()

    # --- the editor: the preview is the source itself; hostile ranges are refused ---
    page.locator("ol.moments li.moment").nth(0).get_by_role("link", name="Edit or share").click()
    page.wait_for_url(re.compile(r"/clips/\d+/edit/$"))
    edit_url = page.url
    clip_id = int(re.search(r"/clips/(\d+)/", edit_url).group(1))
    assert "/videos/" in page.get_attribute("[data-preview]", "src")
    before = product.query('select start, "end" from clips_clip where id=?', (clip_id,))
    for start, end in (("-5", "10"), ("nan", "20"), ("0", "1e9"), ("30", "30.5"),
                       ("0", "181"), ("Infinity", "40")):
        assert post_form(page, edit_url, {"start": start, "end": end}) == 302
    assert product.query('select start, "end", pending_start from clips_clip where id=?',
                         (clip_id,)) == [(*before[0], None)]
    assert product.query("select count(*) from jobs_job where target=?",
                         (f"clip:{clip_id}",)) == [(0,)]

    # --- share, then look at the page signed out ---
    page.goto(edit_url)
    page.get_by_role("button", name="Create a share link").click()
    share_url = page.input_value("#share-url")
    visitor = browser.new_context(locale="en-US")
    public = visitor.new_page()
    public.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    public.goto(share_url)
    assert public.evaluate("window.__pwned") is None
    html = public.content()
    assert PAYLOAD not in html and "@viewer" not in html  # no names: uploaded comments
    # The title as stored (Chromium sends '"' in a file name as %22), as text, not markup.
    title = product.query("select title from analysis_sourcevideo where title like ?",
                          ("%onerror=window.__pwned%",))[0][0]
    assert PAYLOAD in title and public.title() == f"{title} · Shortory"
    assert public.get_attribute('meta[property="og:image"]', "content") == share_url + "poster.jpg"

    # --- guessed and mangled tokens ---
    token = share_url.rstrip("/").rsplit("/", 1)[1]
    for guess in [secrets.token_urlsafe(32) for _ in range(20)] + [
            token[:-1], token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(),
            token + "A", "../" + token, token[:31]]:
        assert status_of(f"{product.base_url}/s/{guess}/") == 404, guess

    # --- report spam from one address ---
    codes = [public.evaluate("""async (url) => {
        const body = new URLSearchParams({reason: 'spam',
            csrfmiddlewaretoken: document.querySelector('[name=csrfmiddlewaretoken]').value});
        const r = await fetch(url + 'report/', {method: 'POST', body, redirect: 'manual'});
        return r.status || 302;
    }""", share_url) for _ in range(12)]
    assert codes == [302] * 10 + [429] * 2
    assert product.query("select count(*) from clips_report where clip_id=?",
                         (clip_id,)) == [(10,)]

    # --- another user, on every endpoint of mina's clip and video ---
    other = browser.new_context(base_url=product.base_url, locale="en-US")
    bob = other.new_page()
    sign_up(bob, "bob")
    for path in ("file/", "thumbnail/", "download/", "delete/", "captions.srt", "edit/",
                 "strip.jpg"):
        assert bob.request.get(f"/clips/{clip_id}/{path}").status == 404, path
    for path in (f"/api/v1/clips/{clip_id}/", f"/api/v1/clips/{clip_id}/download/",
                 f"/api/v1/clips/{clip_id}/share/"):
        assert bob.request.get(path).status in (403, 404), path
    video_id = int(re.search(r"/videos/(\d+)/", video_url).group(1))
    for fmt in ("fcpxml", "edl", "mlt", "json", "srt"):
        assert bob.request.get(f"/videos/{video_id}/export/{fmt}/").status == 404
    bob.goto("/reels/new/")
    for url, data in ((f"/clips/{clip_id}/share/", {"action": "revoke"}),
                      (f"/clips/{clip_id}/edit/", {"start": "0", "end": "20"}),
                      (f"/clips/{clip_id}/delete/", {}),
                      ("/reels/new/", {"clips": str(clip_id)})):
        assert post_form(bob, url, data) in (400, 404), url
    assert status_of(share_url) == 200  # bob's revoke did nothing
    other.close()

    # --- revoke: the page, video and poster close at once ---
    page.goto(edit_url)
    page.get_by_role("button", name=re.compile("Stop sharing")).click()
    page.wait_for_load_state()
    for url in (share_url, share_url + "video.mp4", share_url + "poster.jpg"):
        assert status_of(url) == 404, url
    public.reload()
    assert "Report this clip" not in public.content()
    visitor.close()

    # --- the exports: markup stays text; melt renders the MLT timeline ---
    page.goto(video_url)
    files = {}
    for name, key in (("FCPXML", "fcpxml"), ("EDL", "edl"), ("MLT", "mlt"),
                      ("The source video", "source")):
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile(name)).click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        files[key] = target
    tree = etree.parse(str(files["fcpxml"]))
    assert tree.find("resources/asset").get("name") == title
    edl = files["edl"].read_text(encoding="ascii").splitlines()
    assert edl[0] == f"TITLE: {title}" and edl[1] == "FCM: NON-DROP FRAME"
    assert sum(1 for line in edl if re.match(r"\d{3}  AX ", line)) == 3
    assert dialogs == []
    if shutil.which("melt") is None:
        return
    assert files["source"].name == etree.parse(str(files["mlt"])).find(
        "producer/property[@name='resource']").text
    out = tmp_path / "melt.mp4"
    subprocess.run(["melt", "-quiet", str(files["mlt"]), "-consumer", f"avformat:{out}",
                    "vcodec=libx264", "acodec=aac"], check=True, capture_output=True,
                   timeout=300, cwd=tmp_path)
    assert out.stat().st_size > 10_000
