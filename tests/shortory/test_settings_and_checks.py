import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from common import checks as analysis_checks
from jobs import checks as job_checks

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    # The child sees only the variables given here: not the scaled-out pass's DATABASE_URL,
    # REDIS_URL or STORAGE_URL.
    scaled = ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "AWS_STORAGE_BUCKET_NAME")
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", *scaled)}
    base.update({"SHORTORY_ENV_FILE": os.devnull, "DJANGO_SETTINGS_MODULE": "shortory.settings"})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _run_python("import django; django.setup()", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_starts_in_debug_without_secret_key():
    result = _run_python("import django; django.setup(); print('ok')", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_embedded_default_and_scaled_out_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " 'orm' in s.Q_CLUSTER, s.DATABASES['default'].get('OPTIONS', {}).get('transaction_mode'))"
    )
    embedded = _run_python(code, DEBUG="1")
    assert embedded.stdout.split() == [
        "django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", "True", "IMMEDIATE",
    ], embedded.stderr
    scaled = _run_python(
        code, DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/1"
    )
    assert scaled.stdout.split()[:3] == [
        "django.db.backends.postgresql", "channels_redis.core.RedisChannelLayer", "False",
    ], scaled.stderr


def test_check_deploy_is_clean_with_documented_production_variables(tmp_path):
    env_file = ROOT / ".env.example"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")},
             "SHORTORY_ENV_FILE": str(env_file), "DJANGO_SETTINGS_MODULE": "shortory.settings",
             "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-for-the-check-0123456789",
             # The documented scaled-out mode (the in-memory layer warns with DEBUG off).
             "REDIS_URL": "redis://127.0.0.1:6379/0",
             "MEDIA_ROOT": str(tmp_path / "media"), "STATIC_ROOT": str(tmp_path / "static")},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_retry_must_exceed_timeout(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600, "retry": 600}
    assert [e.id for e in job_checks.check_task_queue(None)] == ["shortory.E003"]
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600, "retry": 900}
    assert job_checks.check_task_queue(None) == []


def test_in_memory_layer_with_debug_off_warns(settings):
    settings.DEBUG = False
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert [e.id for e in job_checks.check_channel_layer(None)] == ["shortory.W004"]
    settings.DEBUG = True
    assert job_checks.check_channel_layer(None) == []


def test_missing_ffmpeg_is_reported(settings, tmp_path):
    settings.FFMPEG_BINARY = str(tmp_path / "no-such-ffmpeg")
    assert [e.id for e in analysis_checks.check_ffmpeg(None)] == ["shortory.E002"]
    settings.FFMPEG_BINARY = ""
    assert analysis_checks.check_ffmpeg(None) == []


def test_missing_model_files_are_reported(settings, tmp_path):
    settings.MODELS_DIR = tmp_path / "empty-models"
    errors = analysis_checks.check_model_files(None)
    assert [e.id for e in errors] == ["shortory.E001"]
    assert "emotion" in errors[0].msg


@pytest.mark.django_db
def test_the_project_passes_its_own_checks():
    # The real model files are fetched by `make test`'s set-up, so no error may be reported
    # (the suite itself runs with DEBUG off on the in-memory layer, which only warns).
    assert [e.id for e in run_checks() if e.level >= 40] == []
