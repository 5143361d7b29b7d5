"""Reading settings from the environment, strictly: a typo such as ``DEBUG=ture`` or
``SHORTORY_TOP_MOMENTS=five`` stops start-up with the variable's name, instead of silently
meaning "off" or crashing later."""

from __future__ import annotations

import math
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines from a local `.env` file; real environment variables win."""
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ImproperlyConfigured(f"{path}, line {number}: expected KEY=VALUE, got {line!r}")
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of "
        f"{', '.join(sorted(TRUE))} or {', '.join(sorted(FALSE))}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small (at least {minimum}).")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not math.isfinite(number) or (minimum is not None and number < minimum):
        raise ImproperlyConfigured(f"{name}={value!r} is out of range (at least {minimum}).")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def s3_storage_options(storage_url: str, environ: dict[str, str] | None = None) -> dict | None:
    """django-storages S3 options from ``STORAGE_URL`` or the ``AWS_*`` variables; None: local.

    ``STORAGE_URL=s3://BUCKET[/PREFIX][?endpoint_url=URL&region=NAME&addressing_style=path]``;
    without it, ``AWS_STORAGE_BUCKET_NAME`` (+ ``AWS_S3_ENDPOINT_URL``, ``AWS_S3_REGION_NAME``)
    selects the same backend. Credentials are always read by boto3 from ``AWS_ACCESS_KEY_ID``
    and ``AWS_SECRET_ACCESS_KEY`` (or an instance role), never from a URL that may be logged.
    """
    from urllib.parse import parse_qs, urlsplit

    environ = os.environ if environ is None else environ  # type: ignore[assignment]
    assert environ is not None
    if storage_url:
        parts = urlsplit(storage_url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ImproperlyConfigured(
                f"STORAGE_URL={storage_url!r}: expected s3://BUCKET[/PREFIX][?endpoint_url=...]")
        if parts.username or parts.password:
            raise ImproperlyConfigured(
                "STORAGE_URL must not carry credentials: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY instead.")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint_url", "region", "addressing_style"}
        if unknown:
            raise ImproperlyConfigured(
                f"STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
        bucket, location = parts.hostname, parts.path.strip("/")
        endpoint, region = query.get("endpoint_url", ""), query.get("region", "")
        addressing = query.get("addressing_style", "")
    elif environ.get("AWS_STORAGE_BUCKET_NAME"):
        bucket = environ["AWS_STORAGE_BUCKET_NAME"]
        location = environ.get("AWS_LOCATION", "").strip("/")
        endpoint = environ.get("AWS_S3_ENDPOINT_URL", "")
        region = environ.get("AWS_S3_REGION_NAME", "")
        addressing = environ.get("AWS_S3_ADDRESSING_STYLE", "")
    else:
        return None
    options: dict = {
        "bucket_name": bucket,
        "location": location,
        # Objects are private: every download is a short-lived presigned URL handed out after
        # the ownership check; names are random, so nothing is ever overwritten.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        # SigV4: the only signature every AWS region (and most S3 servers) accepts.
        "signature_version": "s3v4",
    }
    if endpoint:
        options["endpoint_url"] = endpoint
        options["addressing_style"] = addressing or "path"
    elif addressing:
        options["addressing_style"] = addressing
    if region:
        options["region_name"] = region
    return options
