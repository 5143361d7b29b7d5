"""Settings from the environment fail loudly on typos (and the settings module uses them)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from shortory.env import env_bool, env_float, env_int, env_list, load_env_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("Yes", True), (" on ", True),
    ("0", False), ("false", False), ("NO", False), ("off", False), ("", False),
])
def test_env_bool_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("SHORTORY_FLAG", value)
    assert env_bool("SHORTORY_FLAG") is expected


@pytest.mark.parametrize("value", ["ture", "2", "y3s", "enabled"])
def test_env_bool_refuses_a_typo_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SHORTORY_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=f"SHORTORY_FLAG='{value}'"):
        env_bool("SHORTORY_FLAG")


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("SHORTORY_FLAG", raising=False)
    assert env_bool("SHORTORY_FLAG", default=True) is True


def test_env_int(monkeypatch):
    monkeypatch.setenv("SHORTORY_N", " 12 ")
    assert env_int("SHORTORY_N", 5) == 12
    monkeypatch.setenv("SHORTORY_N", "")
    assert env_int("SHORTORY_N", 5) == 5
    monkeypatch.setenv("SHORTORY_N", "five")
    with pytest.raises(ImproperlyConfigured, match="SHORTORY_N='five' is not a whole number"):
        env_int("SHORTORY_N", 5)
    monkeypatch.setenv("SHORTORY_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("SHORTORY_N", 5, minimum=1)


def test_env_float(monkeypatch):
    monkeypatch.setenv("SHORTORY_W", " 0.75 ")
    assert env_float("SHORTORY_W", 1.0) == 0.75
    monkeypatch.setenv("SHORTORY_W", "")
    assert env_float("SHORTORY_W", 1.0) == 1.0
    for bad in ("heavy", "nan", "inf"):
        monkeypatch.setenv("SHORTORY_W", bad)
        with pytest.raises(ImproperlyConfigured, match="SHORTORY_W="):
            env_float("SHORTORY_W", 1.0, minimum=0)
    monkeypatch.setenv("SHORTORY_W", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_float("SHORTORY_W", 1.0, minimum=0)


def test_env_list(monkeypatch):
    monkeypatch.setenv("SHORTORY_HOSTS", " a.example , ,b.example")
    assert env_list("SHORTORY_HOSTS") == ["a.example", "b.example"]


def test_env_file_lines_and_a_broken_line(tmp_path, monkeypatch):
    good = tmp_path / "good.env"
    good.write_text("# comment\nSHORTORY_FROM_FILE='yes'\n\nSHORTORY_KEPT=file\n")
    monkeypatch.delenv("SHORTORY_FROM_FILE", raising=False)
    monkeypatch.setenv("SHORTORY_KEPT", "env")
    load_env_file(good)
    assert os.environ["SHORTORY_FROM_FILE"] == "yes"
    assert os.environ["SHORTORY_KEPT"] == "env"  # the real environment wins
    bad = tmp_path / "bad.env"
    bad.write_text("DEBUG=1\nthis is not a setting\n")
    with pytest.raises(ImproperlyConfigured, match="line 2"):
        load_env_file(bad)


def test_settings_refuse_debug_typo_at_start_up():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
        env={**env, "DEBUG": "ture", "DJANGO_SETTINGS_MODULE": "shortory.settings",
             "SHORTORY_ENV_FILE": "/nonexistent"}, timeout=120)
    assert result.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_storage_url_selects_s3_with_private_objects():
    from shortory.env import s3_storage_options

    assert s3_storage_options("", {}) is None
    options = s3_storage_options(
        "s3://media-bucket/shortory/prod?endpoint_url=http://127.0.0.1:9000&region=eu-west-1", {})
    assert options == {
        "bucket_name": "media-bucket", "location": "shortory/prod", "default_acl": None,
        "querystring_auth": True, "file_overwrite": False, "signature_version": "s3v4",
        "endpoint_url": "http://127.0.0.1:9000", "addressing_style": "path",
        "region_name": "eu-west-1",
    }
    from_aws = s3_storage_options("", {"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_REGION_NAME": "x"})
    assert from_aws["bucket_name"] == "b" and from_aws["region_name"] == "x"
    assert "endpoint_url" not in from_aws  # AWS itself


@pytest.mark.parametrize(("url", "message"), [
    ("https://bucket/", "expected s3://BUCKET"),
    ("s3://key:secret@bucket/", "must not carry credentials"),
    ("s3://bucket/?endpoint=http://x", "unknown parameter(s) endpoint"),
])
def test_bad_storage_url_stops_start_up_with_the_reason(url, message):
    from django.core.exceptions import ImproperlyConfigured

    from shortory.env import s3_storage_options

    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        s3_storage_options(url, {})
