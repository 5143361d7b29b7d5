"""Reads for videos: access helpers (404 for anyone but the owner) and the video page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404

from common.charts import CHART_HEIGHT, CHART_WIDTH, chart_marks, chart_ticks
from jobs.selectors import latest_job

from .models import Video
from .services import video_comments


def videos_for_user(*, user) -> QuerySet[Video]:
    return Video.objects.filter(user=user).select_related("source")


def get_video_for_user(user, pk) -> Video:
    video = videos_for_user(user=user).filter(pk=pk).first()
    if video is None:
        raise Http404("No such video")
    return video


def video_media(*, video: Video) -> FieldFile:
    """The video's source file in storage; 404 until it is ready."""
    if not video.source.is_ready:
        raise Http404("The video file is not ready")
    return video.source.file


def timeline_chart(*, histogram: list[int], heatmap: list[dict] | None, duration: float | None,
                   moments: list) -> dict | None:
    """Geometry for the server-rendered SVG timeline: mention bars, heatmap curve, moments."""
    if not duration or not histogram:
        return None
    peak = max(histogram) or 1
    width = CHART_WIDTH / len(histogram)
    bars = [
        {"x": round(i * width, 2), "w": round(max(width - 1, 1), 2),
         "h": round(CHART_HEIGHT * count / peak, 2),
         "y": round(CHART_HEIGHT - CHART_HEIGHT * count / peak, 2), "count": count,
         "t0": int(i * duration / len(histogram))}
        for i, count in enumerate(histogram) if count
    ]
    curve = ""
    if heatmap:
        points = []
        for seg in heatmap:
            mid = (float(seg.get("start_time", 0)) + float(seg.get("end_time", 0))) / 2
            x = CHART_WIDTH * min(mid, duration) / duration
            y = CHART_HEIGHT - CHART_HEIGHT * float(seg.get("value", 0))
            points.append(f"{x:.1f},{y:.1f}")
        curve = " ".join(points)
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "curve": curve,
            "marks": chart_marks(moments, duration), "ticks": chart_ticks(duration),
            "peak": peak}


def video_page(*, video: Video) -> dict:
    """Everything the video page shows. Moments and their clips come through the video's
    reverse relation (`clips` owns them; this app only reads what the relation offers)."""
    moments = list(video.moments.comment_moments().with_clips())
    source = video.source
    return {
        "video": video,
        "source": source,
        "moments": moments,
        "job": latest_job(user=video.user, target=f"video:{video.pk}"),
        "chart": timeline_chart(histogram=video.mention_histogram, heatmap=source.heatmap,
                                duration=source.duration, moments=moments),
        "no_moments": video.get_no_moments_reason_display() if video.no_moments_reason else "",
        "comment_count": video_comments(video=video).count(),
        "sessions": list(video.sessions.order_by("-started_at")[:10]),
    }
