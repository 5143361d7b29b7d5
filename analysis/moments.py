"""Highlight moments: where viewers point in comments, and where a viewer's face reacted.

Pure module (no Django). Two entry points:

* :func:`rank_comment_moments` — comment timestamps (mentions) → the top K moments, each with
  its clip window and the evidence behind it.
* :func:`find_emotion_moments` — webcam emotion samples of one watch session → the strongest
  non-neutral reactions, each with its clip window and intensity.

Comment moments
===============
**Votes.** Each comment votes at most once per moment, however many of its times fall inside.
A comment that names many *places* (a chapter index, "best bits: 0:34, 2:10, 5:45, …") is an
index, not a reaction, so its vote is split: with ``n`` places (its distinct times, where times
within ``window`` seconds of each other count as one place, so a range ``2:10-2:15`` is one)
each place gets ``min(1, 2 / n)`` of a vote — a comment naming one or two places gives each a
full vote, a ten-chapter index gives each chapter 0.2. Likes raise a comment's vote by up to
100 %: ``weight × (1 + 0.25 × min(log10(1 + likes), 4))`` (10 000 likes doubles it); likes
measure agreement with the comment, but they are capped so one viral comment cannot outvote a
crowd, and they scale with the weight so a liked chapter index stays small.

**Authors.** Distinct authors count more than repeats: within one moment an author contributes
their best comment's vote plus 0.25 × the votes of their other comments there, and that extra
is capped at half of the best vote. Five comments by one author are worth 1.5 votes; two
authors are worth 2. Comments without an author are treated as separate authors.

**Grouping without chaining.** Mentions are grouped around density peaks: repeatedly take the
cited second with the most (still unassigned) votes within ``±window`` seconds, make every
unassigned mention within ``±window`` of it one group, and remove them. A group therefore spans
at most ``2 × window`` seconds, whatever the density around it — mentions every 3 s for a
minute give several groups, not one. The **peak** of a group is its most-cited second (most
comments naming exactly that second; ties: more votes, then closer to the seed, then earlier).

**Score** = votes (above) + ``0.2 × heatmap value at the peak`` when YouTube's "Most replayed"
heatmap is known (0–1, so at most a fifth of one comment's vote: the heatmap is a tie breaker and
a nudge, never a reason on its own). Ties on score are broken by the heatmap value, then the
number of comments, then the earlier peak, so the result is deterministic and independent of the
input order.

**Windows.** Each moment's clip window is ``peak − before … peak + after`` clamped to
``[0, duration]``. Groups are taken in score order; a group whose window overlaps an already
chosen moment is merged into it (window = union, evidence and score recomputed over the union,
each comment still counted once), as long as the merged window stays within
``max_merged_length`` (default ``2 × (before + after)``); an overlapping group that would make
the clip longer than that is dropped rather than producing a near-duplicate clip. Merging never
chains without bound for the same reason. Lower-ranked groups that overlap a chosen moment are
merged even after ``top_k`` moments are chosen (their evidence belongs to that moment).

Emotion moments
===============
Samples (video time, five probabilities, attention, face found) are averaged per second of
*video* time (a viewer may pause or seek, so wall-clock order does not matter; rewatched
seconds average). Seconds without a face are gaps, never moments. Each emotion's series is
smoothed with a centred, gap-aware moving average over ``±smoothing_seconds / 2`` (default: the
second before, the second itself and the one after: it removes single-frame flicker without
flattening a reaction that lasts a few seconds). The viewer's own
**baseline** for each emotion is the median over the whole session: expression classifiers read
some resting faces as "sad" or "angry" most of the time (the prototype's users saw "always
sad"), and the median is robust to the short reactions we look for. **Intensity** is how far
the smoothed value rises above that baseline, as a fraction of the headroom left:
``(value − baseline) / max(1 − baseline, 0.2)`` clipped to ``[0, 1]`` (1 = the classifier is
certain at the peak; the 0.2 floor keeps a face that always reads "happy" from turning noise into
full intensity). **Score** = intensity × smoothed attention, so a reaction while looking away is
discounted. Candidates are local maxima of the score with ``score ≥ min_score`` (default 0.15);
they are chosen greedily by score, keeping peaks at least ``min_separation`` seconds apart across
all emotions (one clip per moment, labelled with its strongest emotion), up to ``top_n``.
Windows are ``peak − before … peak + after`` clamped to ``[0, duration]``. ``neutral`` is the
resting state: it is charted by :func:`emotion_series` but never collected as a moment.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.timestamps import extract_timestamps

logger = logging.getLogger(__name__)

__all__ = [
    "EMOTIONS",
    "CommentMoment",
    "EmotionMoment",
    "EmotionSample",
    "Mention",
    "emotion_series",
    "find_emotion_moments",
    "heatmap_value_at",
    "mention_histogram",
    "mentions_from_comments",
    "rank_comment_moments",
]

# --- comment ranking constants (documented in the module docstring) --------------------------
FULL_VOTE_PLACES = 2  # a comment naming up to this many places gives each a full vote
LIKE_WEIGHT = 0.25  # vote multiplier per decade of likes ...
LIKE_DECADES_CAP = 4.0  # ... up to 10**4 likes (vote × 2)
REPEAT_AUTHOR_WEIGHT = 0.25  # an author's further comments in one moment count this much
REPEAT_AUTHOR_CAP = 0.5  # ... and add at most this fraction of their best vote
HEATMAP_BONUS = 0.2  # score bonus for a heatmap value of 1.0 at the peak
TOP_COMMENTS = 3

# --- emotion constants -------------------------------------------------------------------------
EMOTIONS = ("happy", "sad", "angry", "neutral", "surprise")
MIN_HEADROOM = 0.2


# =============================================================================================
# Comment moments
# =============================================================================================
@dataclass(frozen=True)
class Mention:
    """One timestamp extracted from one comment (one per distinct second per comment)."""

    comment_id: str
    author: str
    seconds: int
    likes: int = 0
    text: str = ""


@dataclass
class CommentMoment:
    """A ranked moment with its clip window and evidence.

    ``mention_count`` is the number of distinct comments pointing into the moment.
    ``top_comments`` holds up to three ``{comment_id, author, text, likes}`` dicts, most liked
    first. ``heatmap_value`` is YouTube's "Most replayed" value at the peak (``None`` without a
    heatmap).
    """

    peak: int
    start: float
    end: float
    score: float
    mention_count: int
    distinct_authors: int
    top_comments: list[dict]
    heatmap_value: float | None


@dataclass(frozen=True)
class _Comment:
    comment_id: str
    author_key: str
    author: str
    likes: int
    text: str
    weight: float  # vote per place, after the chapter-index split
    vote: float  # weight with the likes boost


@dataclass
class _Group:
    seconds: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    seed: int = 0
    start: float = 0.0
    end: float = 0.0
    peak: int = 0
    score: float = 0.0
    heat: float | None = None

    def add(self, mentions: Iterable[tuple[str, int]]) -> None:
        for comment_id, second in mentions:
            self.seconds[comment_id].add(second)


def heatmap_value_at(heatmap: Sequence[dict] | None, second: float) -> float | None:
    """Value of the yt-dlp heatmap segment containing ``second`` (``None`` if unknown)."""
    if not heatmap:
        return None
    best: float | None = None
    last_end = -math.inf
    last_value: float | None = None
    for segment in heatmap:
        try:
            start = float(segment["start_time"])
            end = float(segment["end_time"])
            value = float(segment["value"])
        except (KeyError, TypeError, ValueError):
            continue
        if not math.isfinite(value):
            continue
        if start <= second < end:
            best = value
            break
        if end > last_end:
            last_end, last_value = end, value
    if best is None and last_value is not None and second == last_end:
        best = last_value  # the very last second belongs to the last segment
    return None if best is None else min(1.0, max(0.0, best))


def _count_places(seconds: Sequence[int], window: float) -> int:
    places = 0
    previous: int | None = None
    for second in sorted(seconds):
        if previous is None or second - previous > window:
            places += 1
        previous = second
    return places


def _build_comments(
    mentions: Iterable[Mention], duration: float | None, window: float
) -> tuple[dict[str, _Comment], dict[str, set[int]]]:
    by_comment: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.seconds < 0 or (duration is not None and mention.seconds > duration):
            continue
        by_comment[mention.comment_id].append(mention)
    comments: dict[str, _Comment] = {}
    seconds: dict[str, set[int]] = {}
    for comment_id in sorted(by_comment):
        # A deterministic representative, whatever the input order.
        group = sorted(by_comment[comment_id], key=lambda m: (m.seconds, m.author, -m.likes))
        first = group[0]
        distinct = {int(m.seconds) for m in group}
        places = _count_places(list(distinct), window)
        weight = min(1.0, FULL_VOTE_PLACES / places)
        likes = max(0, max(m.likes for m in group))
        boost = LIKE_WEIGHT * min(math.log10(1 + likes), LIKE_DECADES_CAP)
        comments[comment_id] = _Comment(
            comment_id=comment_id,
            author_key=first.author or f"\x00anonymous:{comment_id}",
            author=first.author,
            likes=likes,
            text=first.text,
            weight=weight,
            vote=weight * (1 + boost),
        )
        seconds[comment_id] = distinct
    return comments, seconds


def _votes(comment_ids: Iterable[str], comments: dict[str, _Comment]) -> float:
    by_author: dict[str, list[float]] = defaultdict(list)
    for comment_id in comment_ids:
        comment = comments[comment_id]
        by_author[comment.author_key].append(comment.vote)
    total = 0.0
    for votes in by_author.values():
        votes.sort(reverse=True)
        best = votes[0]
        total += best + min(REPEAT_AUTHOR_WEIGHT * sum(votes[1:]), REPEAT_AUTHOR_CAP * best)
    return total


def _peak(group: _Group, comments: dict[str, _Comment]) -> int:
    cited: dict[int, int] = defaultdict(int)
    weight: dict[int, float] = defaultdict(float)
    for comment_id, secs in group.seconds.items():
        for second in secs:
            cited[second] += 1
            weight[second] += comments[comment_id].weight
    return min(
        cited,
        key=lambda s: (-cited[s], -round(weight[s], 9), abs(s - group.seed), s),
    )


def _evaluate(group: _Group, comments: dict[str, _Comment], heatmap: Sequence[dict] | None) -> None:
    group.peak = _peak(group, comments)
    group.heat = heatmap_value_at(heatmap, group.peak)
    group.score = _votes(group.seconds, comments) + HEATMAP_BONUS * (group.heat or 0.0)


def _cluster(
    comments: dict[str, _Comment], seconds: dict[str, set[int]], window: int
) -> list[_Group]:
    """Greedy density-peak grouping; every group spans at most ``2 * window`` seconds."""
    at_second: dict[int, list[str]] = defaultdict(list)
    for comment_id, secs in seconds.items():
        for second in secs:
            at_second[second].append(comment_id)
    if not at_second:
        return []
    length = max(at_second) + 1
    density = np.zeros(length)
    for second, ids in at_second.items():
        density[second] = sum(comments[c].weight for c in ids)
    kernel = np.ones(2 * window + 1)
    support = np.convolve(density, kernel, mode="same")
    cited = np.flatnonzero(density > 0)

    groups: list[_Group] = []
    while cited.size:
        # Highest support, then most votes exactly there, then earliest (tolerance: float sums).
        best = support[cited].max()
        tied = cited[support[cited] >= best - 1e-9]
        most = density[tied].max()
        seed = int(tied[density[tied] >= most - 1e-9][0])
        lo, hi = max(0, seed - window), min(length - 1, seed + window)
        group = _Group(seed=seed)
        for second in range(lo, hi + 1):
            if density[second] > 0:
                group.add((comment_id, second) for comment_id in at_second[second])
        density[lo : hi + 1] = 0.0
        # Only the support within ±window of the removed span changes.
        a, b = max(0, lo - window), min(length, hi + window + 1)
        padded = np.concatenate(
            (density[max(0, a - window) : a], density[a:b], density[b : b + window])
        )
        local = np.convolve(padded, kernel, mode="same")
        offset = a - max(0, a - window)
        support[a:b] = local[offset : offset + (b - a)]
        cited = cited[(cited < lo) | (cited > hi)]
        groups.append(group)
    return groups


def _clip_window(
    peak: float, before: float, after: float, duration: float | None
) -> tuple[float, float]:
    start = max(0.0, peak - before)
    end = peak + after
    if duration is not None:
        end = min(float(duration), end)
        start = min(start, end)
    return float(start), float(end)


def _rank_key(group: _Group) -> tuple:
    return (
        -round(group.score, 9),
        -(group.heat if group.heat is not None else -1.0),
        -len(group.seconds),
        group.peak,
    )


def rank_comment_moments(
    mentions: Iterable[Mention],
    *,
    duration: float | None,
    top_k: int = 5,
    window: int = 5,
    before: float = 10,
    after: float = 10,
    heatmap: list[dict] | None = None,
    max_merged_length: float | None = None,
) -> list[CommentMoment]:
    """Rank the moments viewers point to; see the module docstring for the exact rules.

    ``mentions`` holds one :class:`Mention` per timestamp per comment (duplicates of the same
    second within a comment are ignored); mentions outside ``[0, duration]`` are ignored.
    Returns at most ``top_k`` moments, best first.
    """
    if top_k <= 0:
        return []
    window = max(0, int(window))
    merged_cap = max_merged_length if max_merged_length is not None else 2 * (before + after)
    comments, seconds = _build_comments(mentions, duration, window)
    groups = _cluster(comments, seconds, window)
    for group in groups:
        _evaluate(group, comments, heatmap)
        group.start, group.end = _clip_window(group.peak, before, after, duration)
    groups.sort(key=_rank_key)

    chosen: list[_Group] = []
    for group in groups:
        overlapping = [m for m in chosen if group.start < m.end and m.start < group.end]
        if not overlapping:
            if len(chosen) < top_k:
                chosen.append(group)
            continue
        target = overlapping[0]
        start, end = min(target.start, group.start), max(target.end, group.end)
        others = overlapping[1:]
        for other in others:
            start, end = min(start, other.start), max(end, other.end)
        if end - start > merged_cap:
            logger.debug("moment at %ss dropped: merging would exceed %ss", group.peak, merged_cap)
            continue
        for other in [group, *others]:
            for comment_id, secs in other.seconds.items():
                target.seconds[comment_id] |= secs
            if other is not group:
                chosen.remove(other)
        # The higher-ranked moment keeps its seed; the peak is recomputed over the union.
        _evaluate(target, comments, heatmap)
        target.start, target.end = start, end

    chosen.sort(key=_rank_key)
    return [_to_moment(group, comments) for group in chosen[:top_k]]


def _to_moment(group: _Group, comments: dict[str, _Comment]) -> CommentMoment:
    members = [comments[c] for c in group.seconds]
    top = sorted(members, key=lambda c: (-c.likes, c.comment_id))[:TOP_COMMENTS]
    return CommentMoment(
        peak=group.peak,
        start=group.start,
        end=group.end,
        score=round(group.score, 6),
        mention_count=len(members),
        distinct_authors=len({c.author_key for c in members}),
        top_comments=[
            {"comment_id": c.comment_id, "author": c.author, "text": c.text, "likes": c.likes}
            for c in top
        ],
        heatmap_value=group.heat,
    )


def mention_histogram(
    mentions: Iterable[Mention], *, duration: float | None, bins: int = 100
) -> list[int]:
    """Mentions per bin over ``[0, duration]`` for charting (one per comment per second).

    Without ``duration`` the range ends at the last mentioned second.
    """
    if bins <= 0:
        raise ValueError("bins must be positive")
    unique = {(m.comment_id, m.seconds) for m in mentions if m.seconds >= 0}
    if duration is None:
        duration = max((s for _, s in unique), default=0) + 1
    counts = [0] * bins
    if duration <= 0:
        return counts
    for _, second in unique:
        if second > duration:
            continue
        counts[min(int(second * bins / duration), bins - 1)] += 1
    return counts


def mentions_from_comments(
    comments: Iterable[tuple[str, str, str, int]], *, duration: float | None
) -> list[Mention]:
    """Extract mentions from ``(comment_id, author, text, likes)`` tuples.

    Uses :func:`analysis.timestamps.extract_timestamps`; a second named twice in one comment
    gives one mention.
    """
    result: list[Mention] = []
    for comment_id, author, text, likes in comments:
        seen: set[int] = set()
        for second in extract_timestamps(text or "", duration=duration):
            if second in seen:
                continue
            seen.add(second)
            result.append(Mention(comment_id, author, second, int(likes or 0), text))
    return result


# =============================================================================================
# Emotion moments
# =============================================================================================
@dataclass(frozen=True)
class EmotionSample:
    """One analysed webcam frame: video time, class probabilities, attention (0–1)."""

    t: float
    probabilities: dict[str, float]
    attention: float
    face_found: bool


@dataclass
class EmotionMoment:
    """A reaction: ``intensity`` in [0, 1] above the viewer's baseline, ``score`` = intensity ×
    attention."""

    emotion: str
    peak: float
    start: float
    end: float
    intensity: float
    score: float


def _binned(
    samples: Iterable[EmotionSample], duration: float | None, step: float
) -> tuple[int, dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin means over face samples (NaN where none), attention, sample and face counts."""
    if step <= 0:
        raise ValueError("step must be positive")
    kept: list[EmotionSample] = []
    for sample in samples:
        t = float(sample.t)
        if not math.isfinite(t) or t < 0 or (duration is not None and t > duration):
            continue
        kept.append(sample)
    if duration is not None:
        n_bins = max(1, math.ceil(duration / step)) if duration > 0 else 0
    else:
        n_bins = (int(max(s.t for s in kept) // step) + 1) if kept else 0
    if n_bins == 0:
        kept = []
    sums = {e: np.zeros(n_bins) for e in EMOTIONS}
    attention = np.zeros(n_bins)
    faces = np.zeros(n_bins)
    total = np.zeros(n_bins)
    for sample in kept:
        index = min(int(sample.t // step), n_bins - 1)
        total[index] += 1
        if not sample.face_found:
            continue
        values = [float(sample.probabilities.get(e, 0.0)) for e in EMOTIONS]
        if not all(math.isfinite(v) for v in values) or not math.isfinite(sample.attention):
            continue
        faces[index] += 1
        for emotion, value in zip(EMOTIONS, values, strict=True):
            sums[emotion][index] += min(1.0, max(0.0, value))
        attention[index] += min(1.0, max(0.0, float(sample.attention)))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = {e: np.where(faces > 0, sums[e] / faces, np.nan) for e in EMOTIONS}
        attention_mean = np.where(faces > 0, attention / faces, np.nan)
    return n_bins, means, attention_mean, faces, total


def emotion_series(
    samples: Iterable[EmotionSample], *, duration: float | None = None, step: float = 1.0
) -> dict:
    """Per-``step`` series over video time, for charting.

    Returns ``{"step", "t", "happy", "sad", "angry", "neutral", "surprise", "attention",
    "face_ratio"}``: lists of equal length; emotion and attention values are means over the
    samples with a face in that bin and ``None`` where there was none (a gap in the chart);
    ``face_ratio`` is the share of samples with a face (``None`` where no sample at all).
    """
    n_bins, means, attention, faces, total = _binned(samples, duration, step)

    def clean(values: np.ndarray) -> list[float | None]:
        return [None if math.isnan(v) else round(float(v), 4) for v in values]

    series: dict = {"step": step, "t": [round(i * step, 6) for i in range(n_bins)]}
    for emotion in EMOTIONS:
        series[emotion] = clean(means[emotion])
    series["attention"] = clean(attention)
    with np.errstate(invalid="ignore", divide="ignore"):
        series["face_ratio"] = clean(np.where(total > 0, faces / total, np.nan))
    return series


def _smooth(values: np.ndarray, half: int) -> np.ndarray:
    """Centred moving average over ``±half`` bins that skips gaps (NaN) and keeps them."""
    if half <= 0 or values.size == 0:
        return values.copy()
    kernel = np.ones(2 * half + 1)
    present = ~np.isnan(values)
    sums = np.convolve(np.where(present, values, 0.0), kernel, mode="same")
    counts = np.convolve(present.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = sums / counts
    smoothed[~present] = np.nan
    return smoothed


def _local_maxima(values: np.ndarray) -> list[int]:
    """Indices of local maxima (the middle of a plateau), treating NaN as a gap."""
    filled = np.where(np.isnan(values), -np.inf, values)
    peaks: list[int] = []
    i, n = 0, filled.size
    while i < n:
        if filled[i] == -np.inf:
            i += 1
            continue
        j = i
        while j + 1 < n and filled[j + 1] == filled[i]:
            j += 1
        left = filled[i - 1] if i > 0 else -np.inf
        right = filled[j + 1] if j + 1 < n else -np.inf
        if filled[i] > left and filled[i] > right:
            peaks.append((i + j) // 2)
        i = j + 1
    return peaks


def find_emotion_moments(
    samples: Iterable[EmotionSample],
    *,
    duration: float | None,
    top_n: int = 5,
    before: float = 10,
    after: float = 10,
    min_separation: float = 15,
    smoothing_seconds: float = 2.0,
    emotions: Sequence[str] = ("happy", "sad", "angry", "surprise"),
    min_score: float = 0.15,
) -> list[EmotionMoment]:
    """The strongest non-neutral reactions of one session, best first (module docstring)."""
    if "neutral" in emotions:
        raise ValueError("neutral is the baseline and is never collected as a moment")
    unknown = set(emotions) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"unknown emotions: {sorted(unknown)}")
    if top_n <= 0:
        return []
    n_bins, means, attention, faces, _ = _binned(samples, duration, 1.0)
    if n_bins == 0 or not faces.any():
        return []
    half_width = max(0, int(round(smoothing_seconds / 2)))
    attention_smooth = _smooth(attention, half_width)

    candidates: list[tuple[float, float, int, int, str]] = []
    for order, emotion in enumerate(emotions):
        raw = means[emotion]
        baseline = float(np.nanmedian(raw))
        smoothed = _smooth(raw, half_width)
        intensity = np.clip((smoothed - baseline) / max(1.0 - baseline, MIN_HEADROOM), 0.0, 1.0)
        score = intensity * attention_smooth
        for index in _local_maxima(score):
            if score[index] >= min_score:
                candidates.append(
                    (float(score[index]), float(intensity[index]), index, order, emotion)
                )
    candidates.sort(key=lambda c: (-round(c[0], 9), -round(c[1], 9), c[2], c[3]))

    chosen: list[EmotionMoment] = []
    for score_value, intensity_value, index, _, emotion in candidates:
        peak = float(index)
        if any(abs(peak - m.peak) < min_separation for m in chosen):
            continue
        start, end = _clip_window(peak, before, after, duration)
        chosen.append(
            EmotionMoment(
                emotion=emotion,
                peak=peak,
                start=start,
                end=end,
                intensity=round(intensity_value, 4),
                score=round(score_value, 4),
            )
        )
        if len(chosen) == top_n:
            break
    return chosen
