"""Settings for the test suite: the embedded default, isolated in temporary directories."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SHORTORY_ENV_FILE", os.devnull)  # a developer's .env must not leak in
_tmp = tempfile.mkdtemp(prefix="shortory-tests-")
os.environ.setdefault("MEDIA_ROOT", os.path.join(_tmp, "media"))

from .settings import *  # noqa: E402,F403
from .settings import Q_CLUSTER  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
# Tasks run inline in tests: deterministic and no cluster process needed.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405  (local, or S3 when STORAGE_URL is set)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
