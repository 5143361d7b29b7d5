"""MEDIA_ROOT is not served by URL in any mode (issue 13, item 9): `make run` runs with DEBUG
on, and the uploaded videos and rendered clips must still be reachable only through the
owner-checked views."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from .server import RunningServer


@pytest.mark.parametrize("debug", ["1", "0"])
def test_media_files_are_not_served_by_url(tmp_path, debug):
    server = RunningServer(tmp_path, extra_env={"DEBUG": debug})
    try:
        secret = tmp_path / "media" / "clips" / "hidden.mp4"
        secret.parent.mkdir(parents=True)
        secret.write_bytes(b"private clip bytes")
        for url in ("/media/clips/hidden.mp4", "/media/../media/clips/hidden.mp4"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}{url}", timeout=10)
            assert refused.value.code == 404
            assert b"private clip bytes" not in refused.value.read()
    finally:
        server.stop()
