"""youtube.errors: codes, messages and whether a failure is worth retrying."""

from __future__ import annotations

import youtube
from youtube import DownloadError, HarvestError


def test_error_permanence_defaults_to_what_the_code_means() -> None:
    assert HarvestError("x", code="comments_disabled").permanent is True
    assert HarvestError("x", code="quota_exceeded").permanent is False
    assert DownloadError("x", code="network").permanent is False
    assert DownloadError("x", code="too_large").permanent is True
    assert DownloadError("x", code="network", permanent=True).permanent is True
    assert set(youtube.ERROR_MESSAGES) >= {
        "comments_disabled",
        "quota_exceeded",
        "video_not_found",
        "forbidden",
        "network",
        "unavailable",
    }
