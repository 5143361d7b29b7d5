"""``grab_poster``: one small JPEG frame of a video, the picture a library shows for it."""

from __future__ import annotations

import os
from pathlib import Path

from .process import base_args, run, secs
from .tools import find_ffmpeg

#: Posters are list thumbnails: 360 pixels high is plenty and keeps them a few tens of KB.
POSTER_MAX_HEIGHT = 360


def grab_poster(source: str | os.PathLike[str], out: str | os.PathLike[str], *, at: float,
                ffmpeg: str | None = None) -> Path:
    """Write the frame at ``at`` seconds of ``source`` to ``out`` (JPEG, square pixels, at
    most ``POSTER_MAX_HEIGHT`` high). Raises MediaError when ffmpeg cannot."""
    out_path = Path(out)
    scale = ("scale='trunc(iw*sar/2)*2':ih,setsar=1,"
             f"scale=-2:'min(ih,{POSTER_MAX_HEIGHT})',setsar=1")
    run([*base_args(find_ffmpeg(ffmpeg)), "-ss", secs(at), "-i", str(source), "-map", "0:V:0",
         "-frames:v", "1", "-vf", scale, "-q:v", "4", "-f", "image2", "-update", "1",
         str(out_path)], what="poster")
    return out_path
