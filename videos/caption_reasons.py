"""The reasons render.captions gives for refusing a caption file, in the reader's language.

render/ is plain Python (no Django) and says why in English; these are the same sentences
marked for translation, looked up by their English text. A reason missing here (a new one)
is shown in English rather than not at all.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

import render

_REASONS = {
    "A caption time is not valid.": _("A caption time is not valid."),
    "The caption file is too large (2 MB at most).":
        _("The caption file is too large (2 MB at most)."),
    "The caption file is not UTF-8 text.": _("The caption file is not UTF-8 text."),
    "The caption file has too many cues (20000 at most).":
        _("The caption file has too many cues (20000 at most)."),
    "A caption ends before it starts or lies outside the video.":
        _("A caption ends before it starts or lies outside the video."),
    "A caption is too long.": _("A caption is too long."),
    "The file has no SRT captions.": _("The file has no SRT captions."),
    "The file has no VTT captions.": _("The file has no VTT captions."),
    "The SRT file has a block without a time line.":
        _("The SRT file has a block without a time line."),
    "The VTT file has a block without a time line.":
        _("The VTT file has a block without a time line."),
    "The SRT file has a time line that cannot be read.":
        _("The SRT file has a time line that cannot be read."),
    "The VTT file has a time line that cannot be read.":
        _("The VTT file has a time line that cannot be read."),
    "The file is not WebVTT (it must start with WEBVTT).":
        _("The file is not WebVTT (it must start with WEBVTT)."),
    "The caption data is not valid JSON.": _("The caption data is not valid JSON."),
    "The caption data has no events.": _("The caption data has no events."),
    "Caption files must be .srt or .vtt.": _("Caption files must be .srt or .vtt."),
}


def caption_reason(error: render.CaptionError) -> str:
    """``error``'s sentence in the active language."""
    text = str(error)
    return str(_REASONS.get(text, text))
