"""Every page type, in English and Korean, at desktop and phone width, checked by axe-core in
Chromium: no serious or critical violation. Then a keyboard-only walk from sign-up to the
gallery, and (with ``make screenshots``) the README's screenshots.

axe-core comes from the npm registry (``make axe``: pinned version, sha256-checked, unpacked
into .axe/), is evaluated into each page by Playwright (not a <script> tag, so a strict
Content-Security-Policy does not block it) and runs with its WCAG 2.x A/AA rules.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.helpers import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-browser-passphrase-9"
HOME = re.compile(r"://[^/]+/$")  # the home page itself, not any URL ending in "/"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "ko")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source() -> str:
    found = sorted(ROOT.glob(".axe/axe-core-*/axe.min.js"))
    if not found:
        message = "axe-core is missing: run `make axe` (npm pack axe-core, sha256-checked)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found[-1].read_text()


@pytest.fixture(scope="module")
def axe():
    return axe_source()


# A finished session with a chart and an emotion clip (the sample video's first clip file),
# written straight into the product's database: the webcam flow has its own test.
MAKE_SESSION = """
from analysis.models import EmotionSample, WatchSession
from clips.models import Clip, Moment
from videos.models import Video
video = Video.objects.get(user__username={user!r})
model = Clip.objects.filter(user=video.user, status="ready").first()
session = WatchSession.objects.create(user=video.user, video=video, status="done",
                                      frames_received=360)
EmotionSample.objects.bulk_create([
    EmotionSample(session=session, t=i / 4, face_found=True, attention=0.9,
                  happy=0.8 if 120 <= i < 160 else 0.1, neutral=0.2 if 120 <= i < 160 else 0.8,
                  sad=0.05, angry=0.02, surprise=0.03) for i in range(360)])
moment = Moment.objects.create(kind="emotion", session=session, rank=1, peak=35, start=30,
                               end=40, emotion="happy", intensity=0.55)
Clip.objects.create(user=video.user, source=video.source, moment=moment, kind="emotion",
                    emotion="happy", intensity=0.55, start=30, end=40, status="ready",
                    file=model.file.name, thumbnail=model.thumbnail.name, duration=10)
print(session.pk)
"""

MAKE_STAFF = """
from accounts.models import User
User.objects.create_superuser("moderator", "mod@example.com", {password!r})
"""


@pytest.fixture(scope="module")
def site(browser, product):
    """A user with the sample video processed, an open and a finished watch session; a
    moderator. Returns the URLs of every page type and the two signed-in states."""
    # bypass_csp: only for this set-up context; Playwright's wait_for_function evaluates its
    # string predicates with eval, which the site's CSP refuses. The checked pages keep CSP.
    context = browser.new_context(base_url=product.base_url, locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, "ada", PASSWORD)
    page.goto("/videos/")
    page.get_by_role("button", name="Try a sample").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    video_url = page.url.replace(product.base_url, "")
    page.wait_for_function(
        "document.querySelectorAll('ol.moments [data-clip-state=ready] video').length === 4",
        timeout=180_000)
    output = product.manage("shell", "-c", MAKE_SESSION.format(user="ada")).stdout
    session_pk = output.strip().splitlines()[-1]
    page.goto(video_url + "watch/")
    consent_url = video_url + "watch/"
    page.get_by_role("button", name="I agree — start watching").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/watch/$"))
    watch_url = page.url.replace(product.base_url, "")
    user_state = context.storage_state()
    context.close()

    product.manage("shell", "-c", MAKE_STAFF.format(password=PASSWORD))
    staff = browser.new_context(base_url=product.base_url, locale="en-US")
    staff_page = staff.new_page()
    staff_page.goto("/accounts/login/")
    staff_page.fill("#id_username", "moderator")
    staff_page.fill("#id_password", PASSWORD)
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.wait_for_url(re.compile(r"/videos/$"))
    staff_state = staff.storage_state()
    staff.close()
    clip_pk = product.query("select id from clips_clip order by id limit 1")[0][0]
    return {
        "states": {"anonymous": None, "user": user_state, "staff": staff_state},
        "pages": [
            ("home", "anonymous", "/"),
            ("sign-up", "anonymous", "/accounts/signup/"),
            ("login", "anonymous", "/accounts/login/"),
            ("error-404", "anonymous", "/no/such/page/"),
            ("home-signed-in", "user", "/"),
            ("my-videos", "user", "/videos/"),
            ("video", "user", video_url),
            ("video-remove", "user", video_url + "delete/"),
            ("watch-consent", "user", consent_url),
            ("watch", "user", watch_url),
            ("session", "user", f"/sessions/{session_pk}/"),
            ("sessions", "user", "/sessions/"),
            ("galleries", "user", "/galleries/"),
            ("jobs", "user", "/jobs/"),
            ("account", "user", "/accounts/profile/"),
            ("error-404-signed-in", "user", "/videos/999999/"),
            ("admin-list", "staff", "/admin/clips/clip/"),
            ("admin-clip", "staff", f"/admin/clips/clip/{clip_pk}/change/"),
        ],
    }


def open_page(browser, product, site, who: str, language: str, width: str):
    state = site["states"][who]
    context = browser.new_context(base_url=product.base_url, locale="en-US",
                                  viewport=WIDTHS[width], storage_state=state)
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": product.base_url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def serious_violations(page, axe: str) -> list[dict]:
    page.evaluate(axe)
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""", AXE_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_passes_axe(browser, product, site, axe, language, width):
    problems = {}
    checked = []
    for name, who, url in site["pages"]:
        context, page = open_page(browser, product, site, who, language, width)
        try:
            response = page.goto(url)
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == language, (name, url)
            expected = 404 if name.startswith("error-404") else 200
            assert response.status == expected, (name, url, response.status)
            if width == "phone" and not name.startswith("admin"):
                # Nothing pushes the page sideways at phone width (wide charts scroll inside
                # their own region instead).
                page_width = page.evaluate("document.documentElement.scrollWidth")
                if page_width > WIDTHS["phone"]["width"]:
                    problems[name + " (wider than the phone)"] = page_width
                # The title's buttons, wrapped under it, do not touch the card that follows.
                gap = page.evaluate("""() => {
                    const head = document.querySelector('main > .page-head');
                    const next = head && head.nextElementSibling;
                    if (!next || !next.matches('.card')) return null;
                    return next.getBoundingClientRect().top - head.getBoundingClientRect().bottom;
                }""")
                if gap is not None and gap < 8:
                    problems[name + " (title buttons touch the card)"] = gap
                if name == "session":
                    # The session chart keeps a readable size and scrolls in its own region.
                    chart = page.evaluate("""() => {
                        const box = document.querySelector('.chart-scroll');
                        return [Math.round(box.querySelector('svg').getBoundingClientRect().width),
                                box.scrollWidth > box.clientWidth];
                    }""")
                    if chart[0] < 640 or not chart[1]:
                        problems["session chart on a phone"] = chart
                # The phone menu opens from a real button, for keyboards and screen readers.
                toggle = page.locator(".nav-toggle")
                assert toggle.is_visible(), name
                toggle.focus()
                page.keyboard.press("Enter")
                assert toggle.get_attribute("aria-expanded") == "true"
                assert page.locator("#nav-links").is_visible()
            # No button spills out of its card or is squeezed onto several lines (the
            # gallery card's three buttons did both).
            spilled = page.evaluate("""() => [...document.querySelectorAll('.card .button')]
                .filter(b => b.offsetParent !== null).filter(b => {
                    const r = b.getBoundingClientRect(), c = b.closest('.card').getBoundingClientRect();
                    const line = parseFloat(getComputedStyle(b).lineHeight) || 20;
                    return r.right > c.right + 1 || r.left < c.left - 1 || r.height > 2 * line + 12;
                }).map(b => b.textContent.trim())""")
            if spilled:
                problems[name + " (buttons out of their card)"] = spilled
            if language == "ko":
                # Korean wraps between words (eojeol), never inside one.
                word_break = page.evaluate("getComputedStyle(document.body).wordBreak")
                if word_break != "keep-all":
                    problems[name + " (Korean word-break)"] = word_break
            found = serious_violations(page, axe)
            if found:
                problems[name] = found
            checked.append(name)
        finally:
            context.close()
    assert checked == [name for name, _who, _url in site["pages"]]
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_page_check_can_fail(browser, product, axe):
    """The check above is real: a page with an unlabelled field and grey-on-grey text fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="en"><body><main><input type="text">'
                     '<p style="color:#ccc;background:#ddd">faint</p></main></body></html>')
    ids = {v["id"] for v in serious_violations(page, axe)}
    context.close()
    assert {"label", "color-contrast"} <= ids


def focused_name(page) -> str:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el) return "";
        return (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
    }""")


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is called `name` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page) == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def tab_to_field(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_keyboard_only_walk_from_sign_up_to_the_gallery(browser, product):
    # bypass_csp: wait_for_function's string predicates are evaluated with eval (see above).
    context = browser.new_context(base_url=product.base_url, locale="en-US",
                                  viewport=WIDTHS["phone"], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/")
    # Phone width: the menu opens from the keyboard.
    tab_to(page, "☰ Menu")
    page.keyboard.press("Enter")
    tab_to(page, "Sign up")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    tab_to_field(page, "#id_username")
    page.keyboard.type("kim")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(HOME)
    assert product.query("select username from accounts_user where username='kim'")

    tab_to(page, "Go to my videos")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/videos/$"))
    tab_to(page, "Try a sample")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    tab_to(page, "Watch with webcam")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/videos/\d+/watch/$"))
    tab_to(page, "I agree — start watching")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/\d+/watch/$"))
    # The video has not started: the meter says nothing is captured (not "Analysing").
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('Video paused')")
    tab_to(page, "Finish session")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    # The page reloads itself once the clip job is done; wait for that page.
    page.wait_for_selector("[data-reload-when-done][data-job-initial-status=done]",
                           timeout=120_000)
    page.wait_for_load_state("load")
    # No frames reached the server (the video never played): the page says so plainly.
    assert "No frames were received" in page.inner_text("[data-session-empty]")

    tab_to(page, "☰ Menu")
    page.keyboard.press("Enter")
    tab_to(page, "Galleries")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/galleries/$"))
    assert page.get_by_role("heading", name="Galleries", level=1).is_visible()
    context.close()


SHOTS = (("video", "video"), ("galleries", "galleries"), ("session", "session"))


@pytest.mark.skipif(not os.environ.get("SHORTORY_SCREENSHOTS"),
                    reason="screenshots are made by `make screenshots`")
def test_screenshots(browser, product, site):
    from PIL import Image

    folder = ROOT / os.environ["SHORTORY_SCREENSHOTS"]
    folder.mkdir(parents=True, exist_ok=True)
    urls = {name: url for name, _who, url in site["pages"]}
    written = []
    for language in LANGUAGES:
        for width in WIDTHS:
            for shot, page_name in SHOTS:
                if width == "phone" and shot != "video":
                    continue
                context, page = open_page(browser, product, site, "user", language, width)
                page.goto(urls[page_name])
                page.wait_for_load_state("load")
                page.wait_for_timeout(300)
                path = folder / f"{shot}-{language}-{width}.png"
                page.screenshot(path=str(path), full_page=False)
                context.close()
                # A palette keeps a UI screenshot sharp at a fraction of the size; 64 colours
                # were too few once a chart was in view (the accent purple came out blue).
                Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
                written.append(path)
    total = sum(Path(p).stat().st_size for p in written)
    print(f"{len(written)} screenshots, {total // 1024} KB in {folder}")
    assert total < 900 * 1024
