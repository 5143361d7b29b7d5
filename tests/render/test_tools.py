"""Which ffmpeg runs: a configured path, else $SHORTORY_FFMPEG, else imageio-ffmpeg's binary,
else the ``ffmpeg`` on PATH."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

import render
from render import MediaError
from tests.render.helpers import ffmpeg


def fake_ffmpeg(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def binaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """One fake ffmpeg per source: configured, environment, imageio-ffmpeg and PATH."""
    found = {
        "configured": fake_ffmpeg(tmp_path / "configured" / "ffmpeg"),
        "env": fake_ffmpeg(tmp_path / "env" / "ffmpeg"),
        "imageio": fake_ffmpeg(tmp_path / "imageio" / "ffmpeg"),
        "path": fake_ffmpeg(tmp_path / "bin" / "ffmpeg"),
    }
    monkeypatch.setenv(render.FFMPEG_ENV, str(found["env"]))
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(found["imageio"]))
    monkeypatch.setenv("PATH", str(found["path"].parent))
    return found


def test_ffmpeg_can_be_chosen_by_environment(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    real = ffmpeg()
    monkeypatch.setenv(render.FFMPEG_ENV, str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(MediaError, match="not available"):
        render.find_ffmpeg()
    assert render.find_ffmpeg(real) == real  # an explicit argument wins over the environment
    link = tmp_path / "my-ffmpeg"
    link.symlink_to(real)
    monkeypatch.setenv(render.FFMPEG_ENV, str(link))
    assert render.find_ffmpeg() == str(link)


def test_resolver_order(binaries: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert render.find_ffmpeg(str(binaries["configured"])) == str(binaries["configured"])
    assert render.find_ffmpeg() == str(binaries["env"])
    assert render.find_ffmpeg("") == str(binaries["env"])  # an empty setting is no setting
    monkeypatch.delenv(render.FFMPEG_ENV)
    assert render.find_ffmpeg() == str(binaries["imageio"])
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    assert render.find_ffmpeg() == str(binaries["path"])


def test_path_is_used_when_imageio_ffmpeg_has_no_binary(
        binaries: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.delenv(render.FFMPEG_ENV)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    assert render.find_ffmpeg() == str(binaries["path"])


def test_a_command_name_is_looked_up_on_path(binaries: dict[str, Path]) -> None:
    assert render.find_ffmpeg("ffmpeg") == str(binaries["path"])


def test_a_broken_setting_is_not_replaced_by_a_fallback(
        binaries: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = str(tmp_path / "no-such-ffmpeg")
    with pytest.raises(MediaError, match="not available"):
        render.find_ffmpeg(missing)
    assert render.ffmpeg_or_none(missing) is None
    monkeypatch.setenv(render.FFMPEG_ENV, missing)
    assert render.ffmpeg_or_none() is None
    not_executable = tmp_path / "plain-file"
    not_executable.write_text("")
    assert render.ffmpeg_or_none(str(not_executable)) is None


def test_nothing_found(binaries: dict[str, Path], tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(render.FFMPEG_ENV)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MediaError, match="ffmpeg is missing"):
        render.find_ffmpeg()
    assert render.ffmpeg_or_none() is None
    assert render.ffmpeg_or_none(str(binaries["configured"])) == str(binaries["configured"])
