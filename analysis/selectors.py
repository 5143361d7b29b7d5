"""Reads for watch sessions: access helpers (404 for anyone but the owner), the session page."""

from __future__ import annotations

from django.db.models import Max, QuerySet
from django.http import Http404

from common.charts import CHART_HEIGHT, CHART_WIDTH, chart_marks, chart_ticks
from common.emotions import REACTIONS, emotion_label
from emotion.moments import emotion_series
from emotion.vocabulary import RESTING
from jobs.selectors import latest_job

from .models import WatchSession
from .services import session_samples

#: Chart lines, drawn in this order (neutral and attention last, under the reactions).
CHART_SERIES = (*REACTIONS, RESTING, "attention")


def sessions_for_user(*, user) -> QuerySet[WatchSession]:
    return WatchSession.objects.filter(user=user).select_related("video__source").annotate(
        last_sample_at=Max("samples__created_at"))


def get_session_for_user(user, pk) -> WatchSession:
    session = sessions_for_user(user=user).filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def emotion_chart(*, series: dict, duration: float | None, moments: list) -> dict | None:
    """Polylines for the session chart: each emotion and attention over video time (0–1)."""
    times = series.get("t") or []
    if not times:
        return None
    span = duration or (max(times) + 1)
    lines = []
    for key in CHART_SERIES:
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
            lines.append({"key": key, "label": emotion_label(key), "points": " ".join(points)})
    if not lines:
        return None  # no face in any frame, or no frames: the page says which instead
    # One legend entry per series, however many pieces a pause or a lost face cut it into.
    legend = [{"key": key, "label": emotion_label(key)} for key in CHART_SERIES
              if any(line["key"] == key for line in lines)]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines, "legend": legend,
            "marks": chart_marks(moments, span), "ticks": chart_ticks(span)}


def session_page(*, session: WatchSession) -> dict:
    """Everything the session page shows. Moments and clips come through the session's reverse
    relation (`clips` owns them; this app only reads what the relation offers)."""
    source = session.video.source
    moments = list(session.moments.with_clips())
    for moment in moments:
        moment.emotion_label = emotion_label(moment.emotion)
    series = emotion_series(session_samples(session=session), duration=source.duration)
    return {
        "session": session, "video": session.video, "source": source, "moments": moments,
        "job": latest_job(user=session.user, target=f"session:{session.pk}"),
        "chart": emotion_chart(series=series, duration=source.duration, moments=moments),
    }
