"""System checks for the files and programs the product needs (ffmpeg, model files)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

import render


def ffmpeg_path() -> str | None:
    """The ffmpeg binary in use (``render.find_ffmpeg``'s order), or None when there is none."""
    return render.ffmpeg_or_none(settings.FFMPEG_BINARY or None)


@register(Tags.compatibility)
def check_ffmpeg(app_configs, **kwargs):
    if ffmpeg_path() is None:
        return [
            Error(
                "ffmpeg was not found.",
                hint="Install the pinned requirements (imageio-ffmpeg ships ffmpeg) or set "
                "SHORTORY_FFMPEG to an ffmpeg binary.",
                id="shortory.E002",
            )
        ]
    return []


@register(Tags.compatibility)
def check_model_files(app_configs, **kwargs):
    from emotion.model_files import missing_model_files

    missing = missing_model_files(Path(settings.MODELS_DIR))
    if missing:
        return [
            Error(
                f"Model files are missing or damaged in {settings.MODELS_DIR}: "
                + ", ".join(missing),
                hint="Run `make models` (python -m emotion.model_files).",
                id="shortory.E001",
            )
        ]
    return []
