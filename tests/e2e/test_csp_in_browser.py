"""The Content-Security-Policy holds in a real browser: Chromium, with the policy on (no
``bypass_csp``), opens every main page as a signed-in user, a moderator and a visitor, and
not one ``securitypolicyviolation`` event or console CSP error is reported. The policy has
no 'unsafe-inline' for scripts or styles, so an inline script, an on*="" handler or a
style="" attribute left in a template would fail this test (the last test shows it does)."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.helpers import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-browser-passphrase-7"

# Runs before any page script (Playwright injects it through the DevTools protocol, which the
# page's policy does not govern) and records what the browser refused.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""

MAKE_STAFF = """
from accounts.models import User
User.objects.create_superuser("csp-moderator", "cspmod@example.com", {password!r})
"""


def strict_context(browser, product, state=None):
    context = browser.new_context(base_url=product.base_url, locale="en-US",
                                  storage_state=state)
    context.add_init_script(COLLECT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text)
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
            else None)
    return context, page, console


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/videos/$"))


def wait_for_clips(page, count: int) -> None:
    """Poll by reloading (wait_for_function needs eval, which the policy refuses)."""
    for _ in range(120):
        if page.locator("ol.moments [data-clip-state=ready] video").count() >= count:
            return
        page.wait_for_timeout(1500)
        page.reload()
    raise AssertionError("the sample video's clips were not ready")


@pytest.fixture(scope="module")
def pages(browser, product):
    """Walks the product as a user would (with the policy on all along) and returns the pages
    to check: (name, who, url)."""
    context, page, _console = strict_context(browser, product)
    sign_up(page, "cspuser", PASSWORD)
    page.goto("/videos/")
    page.get_by_role("button", name="Try a sample").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    video_url = page.url.replace(product.base_url, "")
    wait_for_clips(page, 2)
    clip_pk = product.query(
        "select c.id from clips_clip c join accounts_user u on u.id = c.user_id "
        "where u.username = 'cspuser' and c.status = 'ready' order by c.id limit 1")[0][0]
    page.goto(video_url + "watch/")
    page.get_by_role("button", name="I agree — start watching").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/watch/$"))
    watch_url = page.url.replace(product.base_url, "")
    page.goto("/reels/new/")
    boxes = page.locator("input[name=clips]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Make the reel").click()
    page.wait_for_url(re.compile(r"/reels/\d+/$"))
    reel_url = page.url.replace(product.base_url, "")
    user_state = context.storage_state()
    context.close()

    product.manage("shell", "-c", MAKE_STAFF.format(password=PASSWORD))
    context, page, _console = strict_context(browser, product)
    sign_in(page, "csp-moderator")
    staff_state = context.storage_state()
    context.close()
    return {
        "states": {"anonymous": None, "user": user_state, "staff": staff_state},
        "pages": [
            ("home", "anonymous", "/"),
            ("sign-in", "anonymous", "/accounts/login/"),
            ("sign-up", "anonymous", "/accounts/signup/"),
            ("home-signed-in", "user", "/"),
            ("library", "user", "/videos/"),
            ("add-video", "user", "/videos/add/"),
            ("video", "user", video_url),
            ("watch-consent", "user", video_url + "watch/"),
            ("watch", "user", watch_url),
            ("sessions", "user", "/sessions/"),
            ("galleries", "user", "/galleries/"),
            ("clip-edit", "user", f"/clips/{clip_pk}/edit/"),
            ("reels", "user", "/reels/"),
            ("reel-new", "user", "/reels/new/"),
            ("reel", "user", reel_url),
            ("jobs", "user", "/jobs/"),
            ("account", "user", "/accounts/profile/"),
            ("not-found", "user", "/videos/999999/"),
            ("api-browsable", "user", "/api/v1/me/"),
            ("api-docs", "user", "/api/docs/"),
            ("admin-index", "staff", "/admin/"),
            ("admin-changelist", "staff", "/admin/clips/clip/"),
            ("admin-change", "staff", f"/admin/clips/clip/{clip_pk}/change/"),
            ("admin-tasks", "staff", "/admin/django_q/success/"),
            ("admin-lockouts", "staff", "/admin/axes/accessattempt/"),
        ],
    }


def violations_on(page, console: list[str]) -> list:
    page.wait_for_load_state("load")
    try:  # let the page's scripts run (sockets, the camera, players) before counting
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception:  # noqa: BLE001  a live socket may keep the network busy
        pass
    return page.evaluate("window.__cspViolations") + console


def test_no_page_breaks_the_content_security_policy(browser, product, pages):
    problems = {}
    checked = []
    for name, who, url in pages["pages"]:
        context, page, console = strict_context(browser, product, pages["states"][who])
        try:
            response = page.goto(url, wait_until="load")
            assert response is not None
            expected = 404 if name == "not-found" else 200
            assert response.status == expected, (name, url, response.status)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self';" in csp, (name, csp)
            if not url.startswith("/api/"):
                assert "unsafe-inline" not in csp, (name, csp)
            if name == "api-docs":  # Swagger UI really started (its script is a file)
                page.wait_for_selector(".swagger-ui .information-container")
            found = violations_on(page, console)
            if found:
                problems[name] = found
            checked.append(name)
        finally:
            context.close()
    assert checked == [name for name, _who, _url in pages["pages"]]
    assert not problems, json.dumps(problems, indent=1)


def test_the_check_sees_inline_code(browser, product, pages):
    """The collector is real and the policy refuses inline code: a style attribute and an
    inline script added to a real page are reported (and the script does not run)."""
    context, page, console = strict_context(browser, product, pages["states"]["user"])
    page.goto("/videos/", wait_until="load")
    page.evaluate("""() => {
        document.body.setAttribute("style", "color: red");
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true;";
        document.body.append(script);
    }""")
    page.wait_for_timeout(300)  # violation events are delivered asynchronously
    found = page.evaluate("window.__cspViolations")
    ran = page.evaluate("window.__inlineRan === true")
    context.close()
    directives = {v["directive"] for v in found}
    assert "script-src-elem" in directives and "style-src-attr" in directives, found
    assert ran is False
