"""Sign up, log in, switch language and watch a job's progress bar reach 100 % in Chromium."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_signup_login_language_and_live_job_progress(page, product):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.fill("#id_username", "erin")
    page.fill("#id_email", "erin@example.com")
    page.fill("#id_password1", "a-long-browser-passphrase-1")
    page.fill("#id_password2", "a-long-browser-passphrase-1")
    page.get_by_role("button", name="Sign up").click()
    # Wait for the signed-in page itself: the sign-up URL also ends in "/", so a URL wait
    # would let the next goto() cancel the form's POST on a busy machine.
    page.wait_for_selector("text=Welcome to Shortory,")
    assert "Welcome to Shortory, erin!" in page.content()
    assert product.query(
        "select username, email from accounts_user where username = ?", ("erin",)) == [
        ("erin", "erin@example.com")
    ]

    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("text=You are logged out")
    page.goto("/accounts/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "a-long-browser-passphrase-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/videos/$"))  # login lands on My videos
    assert page.get_by_role("link", name="Jobs").is_visible()

    page.select_option("#language", "ko")
    page.wait_for_load_state()
    page.wait_for_selector("html[lang=ko]")
    assert page.get_by_role("link", name="작업").is_visible()  # "Jobs"
    page.select_option("#language", "en")
    page.wait_for_selector("html[lang=en]")

    page.get_by_role("link", name="Jobs").click()
    # The demonstration job is a staff tool, even under `make run` (DEBUG on).
    assert page.get_by_role("button", name="Start a demonstration job").count() == 0
    product.manage("shell", "-c", "from accounts.models import User; "
                   "User.objects.filter(username='erin').update(is_staff=True)")
    page.reload()
    page.get_by_role("button", name="Start a demonstration job").click()
    row = page.locator("[data-job-id]").first
    row.wait_for()
    # The page's socket is live, and the bar moves without a reload.
    page.wait_for_function("document.documentElement.dataset.jobsLive === 'ws'")
    seen = set()
    for _ in range(200):
        value = int(row.locator("progress").get_attribute("value") or 0)
        seen.add(value)
        if value == 100:
            break
        page.wait_for_timeout(100)
    assert 100 in seen
    assert len(seen) >= 3, f"progress should move through several values, saw {sorted(seen)}"
    page.wait_for_function(
        "document.querySelector('[data-job-id] [data-job-status]').textContent.trim() === 'Done'"
    )
    assert product.query(
        "select status, progress from jobs_job where user_id = "
        "(select id from accounts_user where username = ?)", ("erin",)) == [("done", 100)]
