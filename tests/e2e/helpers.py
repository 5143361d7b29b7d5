"""Steps the browser tests share."""

from __future__ import annotations

PASSWORD = "a-long-browser-passphrase-2"


def sign_up(page, name: str, password: str = PASSWORD) -> None:
    """Create the account ``name`` through the sign-up page and wait until it is signed in.

    Each test signs up its own user: the tests share one running product.
    """
    page.goto("/accounts/signup/")
    page.fill("#id_username", name)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.get_by_role("button", name="Sign up").click()
    # Wait for the signed-in page itself: the sign-up URL also ends in "/", so a URL wait
    # would let the next goto() cancel the form's POST on a busy machine.
    page.wait_for_selector("text=Welcome to Shortory,")
