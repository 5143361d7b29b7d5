"""Real-parts end-to-end fixtures: the product as `make run` starts it (daphne + a django-q2
cluster, SQLite, in-memory channel layer, local media) and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningProduct:
    def __init__(self, base_url: str, workdir: Path, env: dict[str, str]):
        self.base_url = base_url
        self.workdir = workdir
        self.env = env
        self.db_path = workdir / "db.sqlite3"
        self.media_root = workdir / "media"

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the product's database directly, to assert on stored state."""
        with sqlite3.connect(self.db_path, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=300, check=True,
        )


@pytest.fixture(scope="session")
def product(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("product")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortory.settings",
        "SHORTORY_ENV_FILE": os.devnull,
        "DEBUG": "1",
        "SQLITE_PATH": str(workdir / "db.sqlite3"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
        check=True, capture_output=True, timeout=300,
    )
    log = open(workdir / "server.log", "w")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log.close()
            pytest.fail("the product did not start:\n" + (workdir / "server.log").read_text())
        time.sleep(0.3)
    yield RunningProduct(base_url, workdir, env)
    server.terminate()
    try:
        server.wait(timeout=20)
    finally:
        log.close()


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright driver for the whole run (a second sync instance cannot start while
    the first one's event loop is alive)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, product):
    # bypass_csp: Playwright's wait_for_function evaluates its string predicates with eval,
    # which the site's Content-Security-Policy refuses (as it should). The accessibility checks
    # load every page type with the policy on (tests/e2e/test_accessibility.py).
    context = browser.new_context(base_url=product.base_url, locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
