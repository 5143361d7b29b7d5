"""Comment moments: timestamp mentions -> the top K moments with windows and evidence.

Pure module (no Django). The rules are explained in docs/comment-ranking.md.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from timeline import clip_window

from .caption_cues import cue_bonus, cues_near
from .timestamps import extract_timestamps

logger = logging.getLogger(__name__)

__all__ = [
    "CommentMoment",
    "Mention",
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
MIN_CONTEXT = 2.0  # seconds a clip keeps on each side of its peak; closer mentions are evidence




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
    heatmap). ``caption_cues`` are the caption cue kinds near the peak ("laughter" ...).
    """

    peak: int
    start: float
    end: float
    score: float
    mention_count: int
    distinct_authors: int
    top_comments: list[dict]
    heatmap_value: float | None
    caption_cues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Comment:
    comment_id: str
    author_key: str
    author: str
    likes: int
    text: str
    weight: float  # vote per place, after the chapter-index split
    vote: float  # weight with the likes boost
    is_index: bool = False  # names more than FULL_VOTE_PLACES places: a chapter list


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


def _text_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _build_comments(
    mentions: Iterable[Mention], duration: float | None, window: float
) -> tuple[dict[str, _Comment], dict[str, set[int]]]:
    by_comment: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.seconds < 0 or (duration is not None and mention.seconds > duration):
            continue
        by_comment[mention.comment_id].append(mention)
    # The same text posted more than once by one author is one comment: keep the most liked
    # copy (then the smallest id), whatever the input order.
    copies: dict[tuple[str, str], list[str]] = defaultdict(list)
    for comment_id, group in by_comment.items():
        author = min(m.author for m in group)
        if author:
            copies[(author, _text_key(min(m.text for m in group)))].append(comment_id)
    for ids in copies.values():
        if len(ids) > 1:
            keep = min(ids, key=lambda c: (-max(m.likes for m in by_comment[c]), c))
            for comment_id in ids:
                if comment_id != keep:
                    del by_comment[comment_id]
    comments: dict[str, _Comment] = {}
    seconds: dict[str, set[int]] = {}
    for comment_id in sorted(by_comment):
        # A deterministic representative, whatever the input order.
        group = sorted(by_comment[comment_id], key=lambda m: (m.seconds, m.author, -m.likes))
        first = group[0]
        distinct = {int(m.seconds) for m in group}
        places = _count_places(list(distinct), window)
        # Up to two places: a full vote each; more: a chapter list, one vote in all.
        is_index = places > FULL_VOTE_PLACES
        weight = 1.0 / places if is_index else 1.0
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
            is_index=is_index,
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


def _evaluate(group: _Group, comments: dict[str, _Comment], heatmap: Sequence[dict] | None,
              cues: Mapping[str, Sequence[int]] | None = None) -> None:
    group.peak = _peak(group, comments)
    group.heat = heatmap_value_at(heatmap, group.peak)
    group.score = (_votes(group.seconds, comments) + HEATMAP_BONUS * (group.heat or 0.0)
                   + cue_bonus(cues, group.peak))


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


def _rank_key(group: _Group) -> tuple:
    return (
        -round(group.score, 9),
        -(group.heat if group.heat is not None else -1.0),
        -len(group.seconds),
        group.peak,
    )


def _separated(
    group: _Group, chosen: Sequence[_Group], length: float, duration: float | None
) -> tuple[float, float] | None:
    """A window of the group's length, moved off the chosen windows it overlaps, or ``None``."""
    overlapping = [m for m in chosen if group.start < m.end and m.start < group.end]
    if not overlapping:
        return group.start, group.end
    if any(m.peak < group.peak for m in overlapping) and any(
        m.peak > group.peak for m in overlapping
    ):
        return None  # squeezed between two chosen moments
    if overlapping[0].peak < group.peak:
        start = max(m.end for m in overlapping)
        end = start + length
        if duration is not None:
            end = min(end, float(duration))
    else:
        end = min(m.start for m in overlapping)
        start = max(0.0, end - length)
    context = min(MIN_CONTEXT, length / 2)
    if end - start < group.end - group.start - 1e-9:
        return None  # moved against the video's edge it would be shorter than its own window
    if not (start + context <= group.peak <= end - context):
        return None
    if any(start < m.end and m.start < end for m in chosen):
        return None
    return float(start), float(end)


def rank_comment_moments(
    mentions: Iterable[Mention],
    *,
    duration: float | None,
    top_k: int = 5,
    window: int = 5,
    before: float = 10,
    after: float = 10,
    heatmap: list[dict] | None = None,
    cues: Mapping[str, Sequence[int]] | None = None,
) -> list[CommentMoment]:
    """Rank the moments viewers point to; the rules are in docs/comment-ranking.md.

    ``mentions`` holds one :class:`Mention` per timestamp per comment (duplicates of the same
    second within a comment are ignored); mentions outside ``[0, duration]`` are ignored.
    ``cues`` are the caption cues per second (``comments.caption_cues.find_cues``): a small
    bonus near the peak (docs/caption-cues.md). Returns at most ``top_k`` moments, best first;
    every window is ``peak − before … peak + after`` clamped to the video (or that length,
    moved off a better moment it would overlap), and no two windows overlap.
    """
    if top_k <= 0:
        return []
    window = max(0, int(window))
    length = float(before + after)
    comments, seconds = _build_comments(mentions, duration, window)
    groups = _cluster(comments, seconds, window)
    for group in groups:
        _evaluate(group, comments, heatmap, cues)
        group.start, group.end = clip_window(group.peak, before, after, duration)
    groups.sort(key=_rank_key)

    chosen: list[_Group] = []
    for group in groups:
        context = min(MIN_CONTEXT, length / 2)
        home = next(
            (m for m in chosen if m.start - context < group.peak < m.end + context), None
        )
        if home is not None:
            # Pointing into (or just beside) a chosen clip: evidence for it, each comment still
            # counted once; its peak and window stay.
            for comment_id, secs in group.seconds.items():
                home.seconds[comment_id] |= secs
            home.score = (_votes(home.seconds, comments) + HEATMAP_BONUS * (home.heat or 0.0)
                          + cue_bonus(cues, home.peak))
            continue
        if len(chosen) >= top_k:
            continue
        placed = _separated(group, chosen, length, duration)
        if placed is None:
            logger.debug("moment at %ss dropped: no room beside better moments", group.peak)
            continue
        group.start, group.end = placed
        chosen.append(group)

    chosen.sort(key=_rank_key)
    return [_to_moment(group, comments, cues) for group in chosen[:top_k]]


def _to_moment(group: _Group, comments: dict[str, _Comment],
               cues: Mapping[str, Sequence[int]] | None = None) -> CommentMoment:
    members = [comments[c] for c in group.seconds]
    # Reactions lead; a chapter list is shown after them, never first when there are any.
    top = sorted(members, key=lambda c: (c.is_index, -c.likes, c.comment_id))[:TOP_COMMENTS]
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
        caption_cues=cues_near(cues, group.peak),
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

    Uses :func:`comments.timestamps.extract_timestamps`; a second named twice in one comment
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
