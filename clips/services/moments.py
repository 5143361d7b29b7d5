"""Moments: ranking what viewers pointed to (comments) or reacted to (a session), stored.

The pure algorithms are `comments.ranking` and `emotion.moments`; this module feeds them rows
and stores what they return, replacing the earlier moments of the same video or session.
"""

from __future__ import annotations

from django.db import transaction

from analysis.models import WatchSession
from analysis.services import session_samples
from comments.ranking import mention_histogram, mentions_from_comments
from comments.timestamps import extract_timestamps
from emotion.moments import emotion_series, find_emotion_moments
from videos.models import SourceVideo, Video
from videos.services import video_comments

from ..models import Moment
from .fusion import comment_moments_fused, fusion_evidence, moment_label


def moments_find_for_video(*, video: Video) -> list[Moment]:
    """Rank the moments the video's comments point to and store them (replacing earlier ones)."""
    source = video.source
    comments = list(video_comments(video=video).only(
        "comment_id", "author", "author_channel_id", "text", "like_count", "seconds"))
    mentions = mentions_from_comments(
        ((c.comment_id, c.author_channel_id or c.author, c.text, c.like_count) for c in comments),
        duration=source.duration,
    )
    fused = comment_moments_fused(video=video, mentions=mentions)
    ranked = [f.moment for f in fused]
    # Authors are told apart by channel id; people are shown their display names.
    names = {c.comment_id: c.author or c.author_channel_id for c in comments}
    for moment in ranked:
        for quote in moment.top_comments:
            quote["author"] = names.get(str(quote.get("comment_id")), quote.get("author", ""))
    reason = ""
    if not ranked:
        if not comments:
            reason = {
                SourceVideo.CommentsStatus.DISABLED.value: Video.NoMoments.COMMENTS_DISABLED,
                SourceVideo.CommentsStatus.FAILED.value: Video.NoMoments.COMMENTS_UNAVAILABLE,
            }.get(source.comments_status, Video.NoMoments.NO_COMMENTS)
        elif any(c.seconds for c in comments) or any(extract_timestamps(c.text)
                                                     for c in comments):
            reason = Video.NoMoments.BEYOND_DURATION
        else:
            reason = Video.NoMoments.NO_TIMESTAMPS
    with transaction.atomic():
        Moment.objects.filter(video=video, kind=Moment.Kind.COMMENTS).delete()
        moments = Moment.objects.bulk_create([
            Moment(
                kind=Moment.Kind.COMMENTS, video=video, rank=rank, peak=m.peak, start=m.start,
                end=m.end, score=m.score,
                evidence={"mention_count": m.mention_count,
                          "distinct_authors": m.distinct_authors,
                          "top_comments": m.top_comments, "heatmap_value": m.heatmap_value,
                          "caption_cues": m.caption_cues,
                          **fusion_evidence(f)},
                **moment_label(f),
            )
            for rank, (m, f) in enumerate(zip(ranked, fused, strict=True), start=1)
        ])
        video.no_moments_reason = reason
        video.mention_histogram = (
            mention_histogram(mentions, duration=source.duration, bins=100)
            if source.duration else []
        )
        video.save(update_fields=["no_moments_reason", "mention_histogram", "updated_at"])
    return moments


def moments_find_for_session(*, session: WatchSession) -> list[Moment]:
    """The strongest reactions of a session (against the viewer's own baseline), stored."""
    video = session.video
    source = video.source
    samples = session_samples(session=session)
    found = find_emotion_moments(samples, duration=source.duration, top_n=video.top_k,
                                 before=video.clip_before, after=video.clip_after)
    series = emotion_series(samples, duration=source.duration)
    with transaction.atomic():
        Moment.objects.filter(session=session).delete()
        return Moment.objects.bulk_create([
            Moment(kind=Moment.Kind.EMOTION, session=session, rank=rank, peak=m.peak,
                   start=m.start, end=m.end, score=m.score, emotion=m.emotion,
                   intensity=m.intensity,
                   # "Why": the viewer's curve of that emotion around the moment.
                   evidence={"emotion": m.emotion, "curve": [
                       [t, v] for t, v in zip(series["t"], series[m.emotion], strict=True)
                       if v is not None and m.start <= t <= m.end]})
            for rank, m in enumerate(found, start=1)
        ])
