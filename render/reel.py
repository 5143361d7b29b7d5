"""``compose_reel``: join already-cut segments into one highlight reel with moviepy, with short
crossfades and optional title cards ("#1 · 10:43 · 17 viewers").

The cuts themselves stay on the fast ffmpeg path (``render_clip``, which also applies the
aspect; captions burnt into a segment by the renderer come along unchanged); moviepy only does
the layered part: cards over a background, crossfades between segments, one encode at the end.
moviepy (and its numpy frame pipeline) is imported only when a reel is made.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .encode import X264_PRESET
from .errors import MediaError
from .tools import find_ffmpeg

logger = logging.getLogger(__name__)

#: Seconds. A crossfade longer than a third of the shortest segment is shortened to that.
CROSSFADE = 0.5
TITLE_CARD = 1.5
#: Fonts tried for the cards (the first that exists); they cover Latin and Hangul. Without
#: any, Pillow's built-in font is used.
CARD_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


@dataclass(frozen=True)
class ReelSegment:
    """One cut clip (an mp4 written by ``render_clip``) and the words on its title card."""

    path: Path
    label: str = ""


@dataclass(frozen=True)
class ReelResult:
    path: Path
    thumbnail: Path
    duration: float
    width: int
    height: int


def _card_font() -> str | None:
    return next((font for font in CARD_FONTS if os.path.exists(font)), None)


def compose_reel(
    segments: Sequence[ReelSegment], out: str | os.PathLike[str], *,
    thumbnail: str | os.PathLike[str],
    crossfade: float = CROSSFADE, title_cards: bool = False,
    progress: Callable[[float], None] | None = None,
    ffmpeg: str | None = None, threads: int = 2,
) -> ReelResult:
    """Write the reel to ``out`` (H.264/AAC mp4) and its poster to ``thumbnail``.

    Segments of different sizes are centred on the first one's frame. Raises ValueError for no
    segments, MediaError when a segment cannot be read or the encode fails.
    """
    if not segments:
        raise ValueError("a reel needs at least one segment")
    os.environ.setdefault("IMAGEIO_FFMPEG_EXE", find_ffmpeg(ffmpeg))
    import proglog
    from moviepy import (
        ColorClip,
        CompositeVideoClip,
        TextClip,
        VideoFileClip,
        concatenate_videoclips,
        vfx,
    )
    from moviepy.audio import fx as afx

    class _Progress(proglog.ProgressBarLogger):
        def bars_callback(self, bar, attr, value, old_value=None):  # noqa: ANN001
            if progress is not None and bar == "frame_index" and attr == "index":
                total = self.bars[bar].get("total") or 1
                progress(100 * value / total)

    out_path, thumb_path = Path(out).absolute(), Path(thumbnail).absolute()
    opened = []
    try:
        sources = []
        for segment in segments:
            try:
                clip = VideoFileClip(str(segment.path))
            except (OSError, KeyError, ValueError) as exc:
                raise MediaError("A clip of the reel could not be read.") from exc
            opened.append(clip)
            sources.append(clip)
        size = sources[0].size
        fps = sources[0].fps or 30
        fade = min(crossfade, min(c.duration for c in sources) / 3) if len(sources) > 1 else 0
        font = _card_font()
        parts = []
        for segment, clip in zip(segments, sources, strict=True):
            if title_cards and segment.label:
                font_size = max(16, size[1] // 14)
                # The bottom margin keeps descenders: moviepy measures some fonts too short.
                text = TextClip(font=font, text=segment.label, font_size=font_size,
                                color="white", method="caption",
                                size=(int(size[0] * 0.9), None), text_align="center",
                                margin=(0, font_size // 2))
                # Composed once into a still: a card does not change over its 1.5 s.
                card = CompositeVideoClip(
                    [ColorClip(size=size, color=(17, 17, 17)), text.with_position("center")],
                    size=size).with_duration(TITLE_CARD).to_ImageClip(t=0, duration=TITLE_CARD)
                parts.append(card)
            parts.append(clip)
        if fade:
            parts = [parts[0]] + [
                p.with_effects([vfx.CrossFadeIn(fade)]).with_audio(
                    p.audio.with_effects([afx.AudioFadeIn(fade)]) if p.audio else None)
                for p in parts[1:]]
        final = concatenate_videoclips(parts, method="compose", padding=-fade,
                                       bg_color=(0, 0, 0))
        tmp = out_path.with_name(f".{out_path.name}.part.mp4")
        try:
            final.write_videofile(
                str(tmp), fps=fps, codec="libx264", audio_codec="aac", preset=X264_PRESET,
                threads=threads, pixel_format="yuv420p", logger=_Progress(),
                ffmpeg_params=["-movflags", "+faststart"],
                temp_audiofile_path=str(out_path.parent))
            final.save_frame(str(thumb_path), t=min(final.duration / 2, TITLE_CARD + 1))
        except (OSError, BrokenPipeError) as exc:
            tmp.unlink(missing_ok=True)
            raise MediaError("The reel could not be encoded.") from exc
        os.replace(tmp, out_path)
        duration = float(final.duration)
        final.close()
        return ReelResult(path=out_path, thumbnail=thumb_path, duration=round(duration, 3),
                          width=int(size[0]), height=int(size[1]))
    finally:
        for clip in opened:
            clip.close()
