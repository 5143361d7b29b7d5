"""Reaction videos through the live path: `manage.py analyse_reaction` (stores nothing).

The recording shows real faces from scikit-image's LFW sample (one the engine reads as sad,
then one it reads as happy) in a 16:9 frame, after 3 s of an empty room: a stand-in for one
person crying and then laughing, which no registry package ships.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.media import LFW_HAPPY, LFW_SAD, lfw_face_picture, reaction_video

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]

LEAD, SAD, HAPPY = 3.0, 9.0, 10.0


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reaction")
    return reaction_video(folder / "me.mp4", [
        (None, LEAD),
        (lfw_face_picture(LFW_SAD, folder / "sad.png"), SAD),
        (lfw_face_picture(LFW_HAPPY, folder / "happy.png"), HAPPY),
    ])


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings", "DEBUG": "1"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def test_sad_then_happy_in_source_seconds_json_only_on_stdout(recording: Path) -> None:
    done = manage("analyse_reaction", str(recording), "--duration", str(SAD + HAPPY),
                  "--offset", str(LEAD), "--json")
    assert done.returncode == 0, done.stderr
    moments = json.loads(done.stdout)
    assert "frames analysed" in done.stderr
    assert sorted(m["emotion"] for m in moments) == ["happy", "sad"]
    for m in moments:
        assert set(m) == {"emotion", "peak", "start", "end", "intensity"}
        assert m["start"] == max(0.0, m["peak"] - 10) and m["end"] == min(19.0, m["peak"] + 10)
        assert 0.5 < m["intensity"] <= 1
    by = {m["emotion"]: m["peak"] for m in moments}
    assert 0 <= by["sad"] < SAD
    assert SAD <= by["happy"] <= SAD + HAPPY


def test_frames_one_line_each_at_the_capture_rate(recording: Path) -> None:
    done = manage("analyse_reaction", str(recording), "--duration", "30", "--offset", "0",
                  "--frames")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert {tuple(sorted(x)) for x in lines} == {tuple(sorted(
        ["t", "face_found", "emotion", "probabilities", "eye_openness", "attention"]))}
    times = [x["t"] for x in lines]
    assert times[:3] == [0.0, 0.25, 0.5]  # 4 a second, as the live page sends
    assert len(lines) == pytest.approx((LEAD + SAD + HAPPY) * 4, abs=2)
    # The empty room first: no face; then faces, read as the live page would read them.
    assert not any(x["face_found"] for x in lines if x["t"] < LEAD - 0.3)
    sad = [x for x in lines if LEAD + 1 <= x["t"] <= LEAD + SAD - 1]
    happy = [x for x in lines if LEAD + SAD + 1 <= x["t"] <= LEAD + SAD + HAPPY - 1]
    assert all(x["face_found"] and x["emotion"] == "sad" for x in sad)
    assert all(x["face_found"] and x["emotion"] == "happy" for x in happy)
    assert all(0 <= x["eye_openness"] <= 1 for x in sad + happy)


@pytest.mark.django_db
def test_nothing_is_stored_and_errors_are_clear(recording: Path, tmp_path: Path) -> None:
    from analysis.models import EmotionSample, WatchSession

    call_command("analyse_reaction", str(recording), "--duration", "5", "--offset", "3",
                 "--json", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert EmotionSample.objects.count() == 0 and WatchSession.objects.count() == 0
    with pytest.raises(CommandError, match="No such file"):
        call_command("analyse_reaction", str(tmp_path / "nope.mp4"), "--duration", "5")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(CommandError):
        call_command("analyse_reaction", str(text), "--duration", "5")
    with pytest.raises(CommandError, match="--duration"):
        call_command("analyse_reaction", str(recording), "--duration", "0")
