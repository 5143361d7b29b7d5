"""The crowd timeline: many viewers' sessions of one video -> per-second aggregates.

Pure module (no Django). One viewer's session becomes a *contribution* (per second: seen or
not, which emotions rose above that viewer's own baseline, attention); contributions are added
to (and taken out of) a per-video *aggregate* of counts, so a finished session updates the
timeline without re-reading anyone else's samples. Only seconds that at least ``k`` distinct
viewers contributed are ever shown. Rules: docs/fusion.md ("Crowd timeline").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .moments import EmotionSample, emotion_series
from .vocabulary import REACTIONS

T = TypeVar("T")

#: A viewer "reacts" with an emotion in a second when it stands this far above their own
#: median, as a share of the room left above it (the emotion-moment intensity rule).
REACTION_THRESHOLD = 0.25
#: Headroom floor: a viewer whose median is already 0.9 still needs a visible rise.
MIN_HEADROOM = 0.2
#: Longest video the crowd timeline covers, in seconds (bounds the stored vectors).
MAX_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Contribution:
    """One viewer's per-second contribution. Lists all have the same length (seconds)."""

    seen: list[int]
    reacted: dict[str, list[int]]
    attention: list[float]

    @property
    def seconds(self) -> int:
        return len(self.seen)

    def as_json(self) -> dict:
        return {"seen": self.seen, "reacted": self.reacted, "attention": self.attention}

    @classmethod
    def from_json(cls, data: Mapping | None) -> Contribution:
        data = data or {}
        seen = [1 if v else 0 for v in data.get("seen", [])][:MAX_SECONDS]
        n = len(seen)
        reacted = {e: _fit([1 if v else 0 for v in data.get("reacted", {}).get(e, [])], n, 0)
                   for e in REACTIONS}
        attention = _fit([float(v) for v in data.get("attention", [])], n, 0.0)
        return cls(seen=seen, reacted=reacted, attention=attention)


def _fit(values: list[T], n: int, fill: T) -> list[T]:
    return (values + [fill] * n)[:n]


def contribution_from_samples(
    samples: Iterable[EmotionSample], *, duration: float | None
) -> Contribution:
    """What one session adds to the crowd: per second, whether the viewer's face was seen,
    which emotions rose above the viewer's own median, and their attention."""
    if duration is not None:
        duration = min(duration, MAX_SECONDS)
    series = emotion_series(
        [s for s in samples if math.isfinite(s.t) and 0 <= s.t < MAX_SECONDS], duration=duration)
    n = len(series["t"])
    seen = [0 if v is None else 1 for v in series["attention"]]
    reacted: dict[str, list[int]] = {}
    for emotion in REACTIONS:
        values = series[emotion]
        present = sorted(v for v in values if v is not None)
        if not present:
            reacted[emotion] = [0] * n
            continue
        baseline = _median(present)
        headroom = max(1.0 - baseline, MIN_HEADROOM)
        reacted[emotion] = [
            1 if v is not None and (v - baseline) / headroom >= REACTION_THRESHOLD else 0
            for v in values]
    attention = [round(v, 4) if v is not None else 0.0 for v in series["attention"]]
    return Contribution(seen=seen, reacted=reacted, attention=attention)


def _median(ordered: Sequence[float]) -> float:
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def merge_contributions(older: Contribution, newer: Contribution) -> Contribution:
    """One viewer, two sessions: the newer session wins each second it saw; the older one
    keeps the seconds only it saw. A viewer never counts twice in a second."""
    n = max(older.seconds, newer.seconds)
    o, w = _pad(older, n), _pad(newer, n)
    pick = [bool(s) for s in w.seen]
    return Contribution(
        seen=[a if p else b for a, b, p in zip(w.seen, o.seen, pick, strict=True)],
        reacted={e: [a if p else b for a, b, p in zip(w.reacted[e], o.reacted[e], pick,
                                                       strict=True)] for e in REACTIONS},
        attention=[a if p else b for a, b, p in zip(w.attention, o.attention, pick, strict=True)],
    )


def _pad(c: Contribution, n: int) -> Contribution:
    return Contribution(seen=_fit(list(c.seen), n, 0),
                        reacted={e: _fit(list(c.reacted.get(e, [])), n, 0) for e in REACTIONS},
                        attention=_fit(list(c.attention), n, 0.0))


@dataclass
class Aggregate:
    """Counts over all contributing viewers of one video, per second."""

    viewers: list[int]
    reacted: dict[str, list[int]]
    attention: list[float]  # sums

    @classmethod
    def empty(cls) -> Aggregate:
        return cls(viewers=[], reacted={e: [] for e in REACTIONS}, attention=[])

    @classmethod
    def from_json(cls, data: Mapping | None) -> Aggregate:
        data = data or {}
        viewers = [int(v) for v in data.get("viewers", [])][:MAX_SECONDS]
        n = len(viewers)
        return cls(viewers=viewers,
                   reacted={e: _fit([int(v) for v in data.get("reacted", {}).get(e, [])], n, 0)
                            for e in REACTIONS},
                   attention=_fit([float(v) for v in data.get("attention", [])], n, 0.0))

    def as_json(self) -> dict:
        return {"viewers": self.viewers, "reacted": self.reacted, "attention": self.attention}

    def grow(self, seconds: int) -> None:
        """Pad every per-second list to at least ``seconds`` (zeros)."""
        n = max(len(self.viewers), seconds)
        self.viewers = _fit(self.viewers, n, 0)
        self.attention = _fit(self.attention, n, 0.0)
        for emotion in REACTIONS:
            self.reacted[emotion] = _fit(self.reacted.get(emotion, []), n, 0)

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        """Add (``sign=1``) or take out (``sign=-1``) one viewer's contribution, in place.
        O(seconds of that contribution): nobody else's data is read."""
        self.grow(contribution.seconds)
        for i, seen in enumerate(contribution.seen):
            if not seen:
                continue
            self.viewers[i] = max(0, self.viewers[i] + sign)
            self.attention[i] = max(0.0, round(self.attention[i] + sign * contribution.attention[i],
                                               4))
            for emotion in REACTIONS:
                if contribution.reacted[emotion][i]:
                    self.reacted[emotion][i] = max(0, self.reacted[emotion][i] + sign)

    def shown(self, *, min_viewers: int) -> CrowdTimeline:
        """What may be shown: shares and mean attention for the seconds that at least
        ``min_viewers`` distinct viewers contributed; ``None`` everywhere else (a reader who is
        one of them sees the other ``min_viewers - 1`` or more only as one aggregate)."""
        k = max(1, int(min_viewers))
        shares: dict[str, list[float | None]] = {e: [] for e in REACTIONS}
        attention: list[float | None] = []
        counts: list[int | None] = []
        for i, n in enumerate(self.viewers):
            if n < k:
                counts.append(None)
                attention.append(None)
                for emotion in REACTIONS:
                    shares[emotion].append(None)
                continue
            counts.append(n)
            attention.append(round(self.attention[i] / n, 4))
            for emotion in REACTIONS:
                shares[emotion].append(round(self.reacted[emotion][i] / n, 4))
        return CrowdTimeline(viewers=counts, shares=shares, attention=attention,
                             min_viewers=k)


@dataclass(frozen=True)
class CrowdTimeline:
    """The shown aggregate: ``None`` marks a second with fewer than ``min_viewers`` viewers."""

    viewers: list[int | None]
    shares: dict[str, list[float | None]]
    attention: list[float | None]
    min_viewers: int

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in self.viewers)

    @property
    def most_viewers(self) -> int:
        return max((v for v in self.viewers if v is not None), default=0)

    def reacted_at(self, second: float, emotion: str, *, around: int = 2) -> int:
        """How many viewers reacted with ``emotion`` near ``second`` (the most in any one
        shown second of ``second ± around``); 0 where nothing may be shown."""
        best = 0
        centre = int(second)
        for i in range(max(0, centre - around), min(len(self.viewers), centre + around + 1)):
            n, share = self.viewers[i], self.shares[emotion][i]
            if n is not None and share is not None:
                best = max(best, round(n * share))
        return best

    def reaction_series(self) -> list[float | None]:
        """Per second, the share of viewers reacting with any collected emotion's strongest."""
        return [None if n is None else max(self.shares[e][i] or 0.0 for e in REACTIONS)
                for i, n in enumerate(self.viewers)]


@dataclass
class Release:
    """What of an aggregate has been published, per second, and how many distinct viewers
    changed each second since it was last published (``fresh``). A second's published value
    moves only when ``batch`` viewers changed it, so two readings of the timeline never differ
    by one viewer's session; ``epoch`` counts each second's publications (a viewer counts once
    per epoch, however many sessions they finish)."""

    published: Aggregate
    fresh: list[int]
    epoch: list[int]

    @classmethod
    def from_json(cls, data: Mapping | None) -> Release:
        data = data or {}
        published = Aggregate.from_json(data.get("counts"))
        n = len(published.viewers)
        fresh = [int(v) for v in data.get("fresh", [])][:MAX_SECONDS]
        epoch = [int(v) for v in data.get("epoch", [])][:MAX_SECONDS]
        n = max(n, len(fresh), len(epoch))
        published.grow(n)
        return cls(published=published, fresh=_fit(fresh, n, 0), epoch=_fit(epoch, n, 0))

    def as_json(self) -> dict:
        return {"counts": self.published.as_json(), "fresh": self.fresh, "epoch": self.epoch}

    def _grow(self, n: int) -> None:
        if n > len(self.fresh):
            self.fresh = _fit(self.fresh, n, 0)
            self.epoch = _fit(self.epoch, n, 0)
        self.published.grow(n)

    def changed(self, seen: Sequence[int], counted: Sequence[int]) -> list[int]:
        """One viewer changed the seconds in ``seen``; ``counted`` holds, per second, the epoch
        in which they were last counted fresh (-1: never). Returns their new ``counted``."""
        self._grow(len(seen))
        out = _fit([int(v) for v in counted], len(self.fresh), -1)
        for i, s in enumerate(seen):
            if s and out[i] != self.epoch[i]:
                out[i] = self.epoch[i]
                self.fresh[i] += 1
        return out

    def publish(self, counts: Aggregate, *, batch: int) -> int:
        """Copy the current counts of every second that ``batch`` distinct viewers changed
        since it was last published; returns how many seconds moved."""
        self._grow(len(counts.viewers))
        moved = 0
        for i, fresh in enumerate(self.fresh):
            if fresh < batch or i >= len(counts.viewers):
                continue
            self.published.viewers[i] = counts.viewers[i]
            self.published.attention[i] = counts.attention[i]
            for emotion in REACTIONS:
                self.published.reacted[emotion][i] = counts.reacted[emotion][i]
            self.fresh[i] = 0
            self.epoch[i] += 1
            moved += 1
        return moved

    def withdrawn(self, seen: Sequence[int], counted: Sequence[int]) -> None:
        """One viewer's contribution went: their freshness no longer counts, and every second
        they saw is hidden at once (showing it without them would hand out their part as the
        difference) until ``batch`` viewers change it again."""
        self._grow(len(seen))
        for i, s in enumerate(seen):
            if i < len(counted) and counted[i] == self.epoch[i] and self.fresh[i] > 0:
                self.fresh[i] -= 1
            if s:
                self.published.viewers[i] = 0
                self.published.attention[i] = 0.0
                for emotion in REACTIONS:
                    self.published.reacted[emotion][i] = 0
