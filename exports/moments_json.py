"""``moments.json``: the moments of a video with the source they belong to, for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .model import ExportMoment, ExportSource

FORMAT_VERSION = 1


def write_moments_json(source: ExportSource, moments: Sequence[ExportMoment],
                       extra: Sequence[dict] | None = None) -> str:
    """Moments best first (by rank). ``extra``, when given, is merged into each moment's
    object, matched by position in ``moments`` (e.g. ids the product stores)."""
    rows: list[dict] = []
    extras = list(extra) if extra is not None else [{} for _ in moments]
    for moment, more in sorted(zip(moments, extras, strict=True), key=lambda pair: pair[0].rank):
        row = {"rank": moment.rank, "kind": moment.kind, "start": round(moment.start, 3),
               "end": round(moment.end, 3), "peak": round(moment.peak, 3),
               "score": round(moment.score, 4), "title": moment.title, "note": moment.note}
        row.update(more)
        rows.append(row)
    document = {
        "format": "shortory.moments", "version": FORMAT_VERSION,
        "source": {"name": source.name, "file": source.filename,
                   "duration": round(source.duration, 3), "fps": str(source.fps),
                   "width": source.width, "height": source.height, "url": source.url},
        "moments": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
