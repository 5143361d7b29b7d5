"""The smaller findings of issue 13 (item 12): Permissions-Policy sent, the .env.example
placeholder SECRET_KEY refused, limits shown as they are, a CSV with an unclosed quote
refused instead of becoming one comment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comment_files import CommentFileError, parse_comments_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_page_sends_permissions_policy(client, alice_client):
    for response in (client.get("/"), client.get("/accounts/login/"),
                     alice_client.get("/videos/"), client.get("/api/v1/me/")):
        assert response["Permissions-Policy"].startswith("camera=(self), microphone=()")
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_the_content_security_policy_allows_no_inline_code(client, alice_client, staff_client):
    for response in (client.get("/"), client.get("/accounts/login/"),
                     alice_client.get("/videos/"), alice_client.get("/galleries/"),
                     staff_client.get("/admin/"), staff_client.get("/admin/clips/clip/")):
        csp = _directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
    # Under /api/ (DRF's browsable API, Swagger UI: pages we do not write) styles may be
    # inline; scripts may not, and Swagger's start-up script is a file of its own.
    docs = alice_client.get("/api/docs/")
    csp = _directives(docs["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    html = docs.content.decode()
    assert "<script>" not in html
    script = alice_client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("key", ["change-me-to-a-long-random-string", "short-secret",
                                 "django-insecure-shortory-development-key-do-not-use"])
def test_a_placeholder_secret_key_stops_start_up(key):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import shortory.settings"], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
        env={**env, "DEBUG": "0", "SECRET_KEY": key, "SHORTORY_ENV_FILE": os.devnull})
    assert result.returncode != 0
    assert "placeholder" in result.stderr


@pytest.mark.django_db
def test_the_upload_limit_is_shown_as_it_is(api_client, alice, settings):
    settings.MAX_UPLOAD_BYTES = 5_000_000
    api_client.force_authenticate(alice)
    response = api_client.post("/api/v1/videos/", {"file": SimpleUploadedFile(
        "big.mp4", b"\0" * 5_000_001, "video/mp4")}, format="multipart")
    assert response.status_code == 400
    message = response.json()["message"]
    assert "4.8\xa0MB" in message and "4 MB" not in message


def test_a_csv_with_an_unclosed_quote_is_refused():
    data = b'author,text\nann,"great part at 1:00\nbob,the end 2:00 is better\ncy,3:00 wow\n'
    with pytest.raises(CommentFileError, match="Line"):
        parse_comments_file(data, "comments.csv")
