"""ffmpeg filter graphs for a reframed clip: the planned crop path (one ``sendcmd`` command a
frame moving one ``crop``), the blurred-background fit layout, both switched shot by shot,
and the burned-in captions. One ffmpeg pass; Python only writes numbers into a small file.
"""

from __future__ import annotations

import re
from pathlib import Path

from .reframe import CropPlan

# A path that may appear inside a filter graph without escaping.
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
FIT_BLUR_DIVISOR = 6  # the background is blurred at a sixth of the output size (cheap)


def safe_filter_path(path: Path) -> str:
    text = str(path)
    if not _SAFE_PATH.match(text):
        raise ValueError(f"{text!r} cannot be used in a filter graph")
    return text


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def fit_chain(size: tuple[int, int], label_in: str, label_out: str) -> str:
    """The whole frame scaled to fit ``size``, over a darkened, blurred, zoomed copy."""
    width, height = size
    small_w, small_h = _even(width / FIT_BLUR_DIVISOR), _even(height / FIT_BLUR_DIVISOR)
    return (f"[{label_in}]split=2[fitbg][fitfg];"
            f"[fitbg]scale={small_w}:{small_h}:force_original_aspect_ratio=increase,"
            f"crop={small_w}:{small_h},boxblur=10:2,eq=brightness=-0.08,"
            f"scale={width}:{height},setsar=1[fitblur];"
            f"[fitfg]scale={width}:{height}:force_original_aspect_ratio=decrease:"
            "force_divisible_by=2,setsar=1[fitfront];"
            f"[fitblur][fitfront]overlay=(W-w)/2:(H-h)/2[{label_out}]")


def crop_commands(plan: CropPlan, fps: float) -> str:
    """``sendcmd`` commands that move the crop: one per output frame where it moves, each
    sent half a frame before the frame it is for."""
    lines = []
    previous: tuple[int, int] | None = None
    for shot in plan.shots:
        if shot.layout != "track":
            continue
        for t, x, y in zip(shot.times, shot.xs, shot.ys, strict=True):
            position = (round(x), round(y))
            if position == previous:
                continue
            at = max(0.0, t - 0.5 / fps)
            lines.append(f"{at:.4f} crop@reframe x {position[0]}, crop@reframe y {position[1]};")
            previous = position
    return "\n".join(lines) + "\n"


def _first_position(plan: CropPlan) -> tuple[int, int]:
    for shot in plan.shots:
        if shot.layout == "track" and shot.xs:
            return round(shot.xs[0]), round(shot.ys[0])
    return 0, 0


def _fit_times(plan: CropPlan) -> str:
    return "+".join(f"between(t,{shot.start:.4f},{shot.end - 1e-4:.4f})"
                    for shot in plan.shots if shot.layout == "fit")


def reframe_graph(plan: CropPlan | None, size: tuple[int, int], commands: Path | None,
                  captions: str | None, centre_filter: str | None) -> str:
    """The ``-filter_complex`` graph from the source's video to ``[v]``.

    ``plan`` None: the centre crop ``centre_filter`` (or the source's frame when that is None
    too); ``commands`` is the file ``crop_commands`` was written to; ``captions`` a filter
    (``ass=...``) applied last, on the output frame.
    """
    tail = f",{captions}" if captions else ""
    if plan is None:
        chain = centre_filter or "null"
        return f"[0:V:0]{chain}{tail}[v]"
    layouts = plan.layouts
    width, height = size
    if layouts == {"fit"}:
        return f"[0:V:0]null[src];{fit_chain(size, 'src', 'fitted')};[fitted]null{tail}[v]"
    assert commands is not None
    x0, y0 = _first_position(plan)
    crop_w, crop_h = plan.crop_size
    track = (f"sendcmd=f={safe_filter_path(commands)},"
             f"crop@reframe=w={crop_w}:h={crop_h}:x={x0}:y={y0}:exact=1,"
             f"scale={width}:{height},setsar=1")
    if layouts == {"track"}:
        return f"[0:V:0]{track}{tail}[v]"
    return (f"[0:V:0]split=2[trk][fitsrc];[trk]{track}[tracked];"
            f"{fit_chain(size, 'fitsrc', 'fitted')};"
            f"[tracked][fitted]overlay=0:0:enable='{_fit_times(plan)}'{tail}[v]")


def still_filter(plan: CropPlan | None, size: tuple[int, int], t: float,
                 centre_filter: str | None) -> str | None:
    """A one-frame ``-vf`` graph showing the reframe at clip time ``t`` (for the thumbnail)."""
    if plan is None:
        return centre_filter
    position = plan.crop_at(t)
    if position is None:
        return fit_chain(size, "in", "out").replace("[in]", "", 1).replace("[out]", "")
    crop_w, crop_h = plan.crop_size
    return (f"crop={crop_w}:{crop_h}:{position[0]}:{position[1]}:exact=1,"
            f"scale={size[0]}:{size[1]},setsar=1")
