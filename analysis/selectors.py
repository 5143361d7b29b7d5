from __future__ import annotations

from pathlib import Path

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jobs.models import Job

from .models import LibraryVideo, Moment, SourceVideo, WatchSession

CHART_WIDTH = 1000
CHART_HEIGHT = 160


def library_for_user(*, user):
    return LibraryVideo.objects.filter(user=user).select_related("source")


def get_entry_for_user(user, pk) -> LibraryVideo:
    entry = library_for_user(user=user).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such video")
    return entry


def sessions_for_user(*, user):
    return WatchSession.objects.filter(user=user).select_related("entry__source")


def get_session_for_user(user, pk) -> WatchSession:
    session = sessions_for_user(user=user).filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def entry_video_path(*, entry: LibraryVideo) -> Path:
    source = entry.source
    if source.file_status != SourceVideo.FileStatus.READY or not source.file:
        raise Http404("The video file is not ready")
    return Path(source.file.path)


def latest_job(*, user, target: str) -> Job | None:
    return Job.objects.filter(user=user, target=target).order_by("-created_at", "-id").first()


def timeline_chart(*, histogram: list[int], heatmap: list[dict] | None, duration: float | None,
                   moments: list[Moment]) -> dict | None:
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
            "marks": _chart_marks(moments, duration), "ticks": _chart_ticks(duration),
            "peak": peak}


def _chart_marks(moments: list[Moment], span: float) -> list[dict]:
    """Shaded clip windows with their rank over the peak, in chart coordinates."""
    return [
        {"x": round(CHART_WIDTH * m.start / span, 2),
         "w": round(max(CHART_WIDTH * (m.end - m.start) / span, 2), 2),
         "peak_x": round(CHART_WIDTH * m.peak / span, 2), "rank": m.rank}
        for m in moments
    ]


def _chart_ticks(span: float) -> list[dict]:
    from timeline import clock

    return [{"x": round(CHART_WIDTH * t / span, 1), "label": clock(t)}
            for t in [span * i / 5 for i in range(6)]]


def entry_page(*, entry: LibraryVideo) -> dict:
    from clips.models import Clip

    from .services import no_moments_message

    moments = list(entry.moments.filter(kind=Moment.Kind.COMMENTS).order_by("rank"))
    clips = {c.moment_id: c for c in Clip.objects.filter(moment__in=moments, hidden=False)}
    for moment in moments:
        moment.clip_obj = clips.get(moment.pk)
    source = entry.source
    return {
        "entry": entry,
        "source": source,
        "moments": moments,
        "job": latest_job(user=entry.user, target=f"video:{entry.pk}"),
        "chart": timeline_chart(histogram=entry.mention_histogram, heatmap=source.heatmap,
                                duration=source.duration, moments=moments),
        "no_moments": no_moments_message(entry.no_moments_reason),
        "comment_count": _comment_count(entry),
        "sessions": list(entry.sessions.order_by("-started_at")[:10]),
    }


def _comment_count(entry: LibraryVideo) -> int:
    from .services import entry_comments

    return entry_comments(entry=entry).count()


EMOTION_LABELS = {
    "happy": _("happy"), "sad": _("sad"), "angry": _("angry"), "neutral": _("neutral"),
    "surprise": _("surprise"), "attention": _("attention"),
}


def emotion_labels() -> list[dict]:
    return [{"key": key, "label": EMOTION_LABELS[key]}
            for key in ("happy", "sad", "angry", "neutral", "surprise")]


def emotion_chart(*, series: dict, duration: float | None, moments: list[Moment]) -> dict | None:
    """Polylines for the session chart: each emotion and attention over video time (0–1)."""
    times = series.get("t") or []
    if not times:
        return None
    span = duration or (max(times) + 1)
    lines = []
    for key in ("happy", "sad", "angry", "surprise", "neutral", "attention"):
        values = series.get(key) or []
        runs, run = [], []
        for t, v in zip(times, values, strict=False):
            if v is None:  # no face at that second: break the line
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{CHART_WIDTH * t / span:.1f},{CHART_HEIGHT - CHART_HEIGHT * v:.1f}")
        if run:
            runs.append(run)
        for points in runs:
            lines.append({"key": key, "label": EMOTION_LABELS[key], "points": " ".join(points)})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines,
            "marks": _chart_marks(moments, span), "ticks": _chart_ticks(span)}


def session_page(*, session: WatchSession) -> dict:
    from clips.models import Clip
    from emotion.moments import emotion_series

    from .services import session_samples

    source = session.entry.source
    moments = list(session.moments.order_by("rank"))
    clips = {c.moment_id: c for c in Clip.objects.filter(moment__in=moments, hidden=False)}
    for moment in moments:
        moment.clip_obj = clips.get(moment.pk)
        moment.emotion_label = EMOTION_LABELS.get(moment.emotion, moment.emotion)
    series = emotion_series(session_samples(session=session), duration=source.duration)
    return {
        "session": session, "entry": session.entry, "source": source, "moments": moments,
        "job": latest_job(user=session.user, target=f"session:{session.pk}"),
        "chart": emotion_chart(series=series, duration=source.duration, moments=moments),
    }
