"""Comment moments re-ranked with every signal the video has, and labelled from their texts.

Gathers the per-second signals (YouTube's heatmap, the crowd timeline, the owner's own
reactions; caption cues join through ``extra``) and hands them to the pure ``fusion``
package; labels each moment with the emotion its evidence texts share (``comments.reactions``).
Rules: docs/fusion.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from analysis.models import CrowdContribution, WatchSession
from analysis.services import session_samples
from comments.ranking import CommentMoment, Mention, rank_comment_moments
from comments.reactions import Reaction, moment_reaction
from emotion.crowd import Contribution, contribution_from_samples
from emotion.vocabulary import REACTIONS
from fusion import Fused, Signal, fuse, heatmap_series
from videos.models import SourceVideo, Video

#: With other signals, the comment ranking proposes this many times ``top_k`` candidates.
POOL_FACTOR = 3
#: A comment's text speaks for a moment when it names a time this close to the peak (seconds;
#: the comment ranking groups mentions within 5 s).
TEXT_RADIUS = 5


@dataclass
class FusedMoment:
    moment: CommentMoment
    fused: Fused | None  # None: comments were the only signal (ranked exactly as before)
    reaction: Reaction | None


def video_signals(*, video: Video, source: SourceVideo) -> list[Signal]:
    """The per-second signals other than comments that this video has (may be none)."""
    signals = []
    heat = heatmap_series(source.heatmap, duration=source.duration)
    if heat:
        signals.append(Signal("heatmap", heat))
    crowd = getattr(source, "crowd", None)  # the reverse one-to-one raises AttributeError
    if crowd is not None:
        timeline = crowd.timeline()
        if not timeline.is_empty:
            signals.append(Signal("crowd", timeline.reaction_series()))
    own = CrowdContribution.objects.filter(source=source, user_id=video.user_id).first()
    mine = Contribution.from_json(own.data) if own is not None else None
    if mine is None:
        # Opted out of the crowd: the owner's own latest session still ranks their own video.
        latest = (video.sessions.filter(status=WatchSession.Status.DONE)
                  .order_by("-finished_at", "-pk").first())
        if latest is not None:
            mine = contribution_from_samples(session_samples(session=latest),
                                             duration=source.duration)
    if mine is not None and any(mine.seen):
        signals.append(Signal("own", [
            float(max(mine.reacted[e][i] for e in REACTIONS)) if seen else None
            for i, seen in enumerate(mine.seen)]))
    return signals


def comment_moments_fused(
    *, video: Video, mentions: Sequence[Mention], extra: Sequence[Signal] = (),
) -> list[FusedMoment]:
    """The video's top comment moments, fused with its other signals, each with its label."""
    source = video.source
    signals = [*video_signals(video=video, source=source), *extra]
    weights = settings.FUSION_WEIGHTS
    signals = [s for s in signals if weights.get(s.name, 0) > 0 and s.scale > 0]
    pool = video.top_k * POOL_FACTOR if signals else video.top_k
    ranked = rank_comment_moments(
        mentions, duration=source.duration, top_k=pool, before=video.clip_before,
        after=video.clip_after, heatmap=source.heatmap, cues=source.caption_cues or None,
    )
    if not signals:
        order: list[tuple[CommentMoment, Fused | None]] = [(m, None) for m in ranked]
    else:
        fused = fuse([m.peak for m in ranked], signals, weights,
                     scores={"comments": [m.score for m in ranked]})
        order = [(ranked[f.index], f) for f in fused[:video.top_k]]
    return [FusedMoment(moment=m, fused=f, reaction=moment_reaction(moment_texts(mentions, m)))
            for m, f in order]


def moment_texts(mentions: Sequence[Mention], moment: CommentMoment) -> list[str]:
    """The texts of the comments that name a time near the moment's peak (each comment once):
    all of them, not only the most-liked quotes, so a laugh nobody liked still counts."""
    texts: dict[str, str] = {}
    for mention in mentions:
        if abs(mention.seconds - moment.peak) <= TEXT_RADIUS and moment.start <= mention.seconds \
                <= moment.end:
            texts.setdefault(mention.comment_id, mention.text)
    return list(texts.values())


def fusion_evidence(fused: FusedMoment) -> dict:
    """What a comment moment stores of its fusion and label (its "why")."""
    evidence: dict = {}
    if fused.fused is not None:
        evidence["fusion"] = {"score": fused.fused.score, "values": fused.fused.values,
                              "agreeing": list(fused.fused.agreeing)}
    if fused.reaction is not None:
        evidence["reaction"] = {"emotion": fused.reaction.emotion,
                                "strength": fused.reaction.strength}
    return evidence


def moment_label(fused: FusedMoment) -> dict:
    """A labelled comment moment carries the emotion (so its clip joins that gallery)."""
    if fused.reaction is None:
        return {}
    return {"emotion": fused.reaction.emotion, "intensity": fused.reaction.strength}
