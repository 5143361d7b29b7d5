"""`manage.py find_moments`: ranked comment moments from a comments file, no video, no rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "find_moments", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_json_array_of_strings_stdout_is_only_json(tmp_path: Path) -> None:
    texts = ["2:05 ㅋㅋㅋㅋ 여기", "2:05 lmao", "2:07 this part", "2:07 this part",
             "0:10 0:50 1:30 2:05 3:00 chapters", "no time here", "3:15 wow", "5:00 beyond"]
    path = tmp_path / "scraped.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    done = run("--comments", str(path), "--duration", "240", "--json")
    assert done.returncode == 0, done.stderr
    moments = json.loads(done.stdout)  # nothing but JSON on stdout
    assert "8 comments" in done.stderr
    assert [set(m) for m in moments] == [
        {"peak", "start", "end", "score", "comments", "authors", "evidence"}] * len(moments)
    first = moments[0]
    assert (first["peak"], first["start"], first["end"]) == (125, 115.0, 135.0)
    # Anonymous texts are separate people; the chapter list is evidence, but never the lead.
    assert first["comments"] == 5
    assert first["evidence"][0]["text"] != "0:10 0:50 1:30 2:05 3:00 chapters"
    assert all(m["end"] - m["start"] == 20 for m in moments if 10 <= m["peak"] <= 230)
    assert 300 not in [m["peak"] for m in moments]  # beyond --duration


@pytest.mark.django_db
def test_jsonl_from_the_downloader_and_the_readable_form(tmp_path: Path) -> None:
    lines = [{"cid": f"c{i}", "text": f"{t} lol", "author": f"@a{i % 3}", "votes": "1.2K" if i == 0
              else "3", "channel": f"UC{i % 3}"} for i, t in enumerate(["1:00", "1:01", "1:00",
                                                                        "4:00", "4:00", "1:00"])]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    out = StringIO()
    call_command("find_moments", "--comments", str(path), "--top", "1", "--json", stdout=out)
    (moment,) = json.loads(out.getvalue())
    assert (moment["peak"], moment["start"], moment["end"]) == (60, 50.0, 70.0)
    # "@a2" posted "1:00 lol" twice (c2, c5): one comment.
    assert (moment["comments"], moment["authors"]) == (3, 3)
    assert [q["comment_id"] for q in moment["evidence"]].count("c5") == 0
    assert moment["evidence"][0]["likes"] == 1200
    assert moment["evidence"][0]["author"] == "@a0"
    readable = StringIO()
    call_command("find_moments", "--comments", str(path), stdout=readable)
    assert readable.getvalue().startswith("1. 1:00 (0:50–1:10)")


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Could not read"):
        call_command("find_moments", "--comments", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"volume": 3}')
    with pytest.raises(CommandError, match="no comments we recognise"):
        call_command("find_moments", "--comments", str(bad))
    ok = tmp_path / "ok.json"
    ok.write_text('["1:00 wow"]')
    with pytest.raises(CommandError, match="--duration"):
        call_command("find_moments", "--comments", str(ok), "--duration", "-5")
    with pytest.raises(CommandError):
        call_command("find_moments", "--comments", str(ok), "--top", "0")
