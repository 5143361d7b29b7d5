import json

import pytest
from django.core.management import CommandError, call_command

from tests.media import comments_jsonl

pytestmark = [pytest.mark.slow]


def test_local_file_and_comments_offline(sample_video, tmp_path):
    comments = tmp_path / "c.jsonl"
    comments.write_bytes(comments_jsonl({8: 2, 30: 5, 50: 3}))
    out = tmp_path / "out"
    from io import StringIO

    log = StringIO()
    call_command("make_shorts", str(sample_video), "--comments", str(comments), "--out", str(out),
                 "--top", "2", "--before", "3", "--after", "3", stdout=log)
    summary = json.loads((out / "moments.json").read_text())
    assert [m["peak"] for m in summary] == [30, 50]
    assert [m["mention_count"] for m in summary] == [5, 3]
    for moment in summary:
        assert (out / moment["file"]).stat().st_size > 1000
        assert moment["duration"] == pytest.approx(6, abs=0.1)
    assert "[4/4] clip 2/2" in log.getvalue() and "2 clips written" in log.getvalue()


def test_clear_errors(tmp_path, sample_video):
    with pytest.raises(CommandError, match="needs --comments"):
        call_command("make_shorts", str(sample_video), "--out", str(tmp_path))
    with pytest.raises(CommandError, match="YouTube"):
        call_command("make_shorts", "https://example.com/video", "--out", str(tmp_path))
    empty = tmp_path / "c.jsonl"
    empty.write_bytes(comments_jsonl({}, extra=["nice"]))
    with pytest.raises(CommandError, match="No comment mentions a time"):
        call_command("make_shorts", str(sample_video), "--comments", str(empty),
                     "--out", str(tmp_path))
