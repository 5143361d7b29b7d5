"""Reads for videos: access helpers (404 for anyone but the owner) and the video page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.caption_cues import CUE_KINDS
from common.charts import CHART_HEIGHT, CHART_WIDTH, chart_marks, chart_ticks
from common.emotions import REACTIONS, emotion_label
from emotion.crowd import CrowdTimeline
from fusion import AGREES_AT, Signal, heatmap_series, series_value
from jobs.selectors import latest_job
from timeline import clock

from .forms import CaptionFileForm
from .models import CaptionTrack, Video
from .services import video_comments, youtube_error_text


def videos_for_user(*, user) -> QuerySet[Video]:
    return Video.objects.filter(user=user).select_related("source")


def get_video_for_user(user, pk) -> Video:
    video = videos_for_user(user=user).filter(pk=pk).first()
    if video is None:
        raise Http404("No such video")
    return video


def source_download_name(source) -> str:
    """The name the source video downloads under, which the timeline exports (FCPXML, EDL,
    MLT) refer to, so an editor finds the file beside them."""
    return f"shortory-source-{source.pk}.mp4"


def video_media(*, video: Video) -> FieldFile:
    """The video's source file in storage; 404 until it is ready."""
    if not video.source.is_ready:
        raise Http404("The video file is not ready")
    return video.source.file


def cue_strips(cues: dict | None, duration: float) -> list[dict]:
    """Caption cues (per second, by kind) as runs of seconds in chart coordinates."""
    strips = []
    for row, kind in enumerate(CUE_KINDS):
        seconds = sorted((cues or {}).get(kind, ()))
        runs: list[list[int]] = []
        for second in seconds:
            if runs and second <= runs[-1][1] + 1:
                runs[-1][1] = second
            else:
                runs.append([second, second])
        for first, last in runs:
            strips.append({"kind": kind, "y": 5 * row,
                           "x": round(CHART_WIDTH * min(first, duration) / duration, 2),
                           "w": round(max(CHART_WIDTH * (last + 1 - first) / duration, 2), 2),
                           "label": f"{clock(first)}–{clock(last + 1)}"})
    return strips


def timeline_chart(*, histogram: list[int], heatmap: list[dict] | None, duration: float | None,
                   moments: list, cues: dict | None = None) -> dict | None:
    """Geometry for the server-rendered SVG timeline: mention bars, heatmap curve, moments,
    caption cues."""
    if not duration or not any(histogram):
        return None  # nothing to draw: the page says why there are no moments instead
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
            "peak": peak, "cues": cue_strips(cues, duration)}


#: Chart lines of the crowd timeline, in drawing order.
CROWD_SERIES = (*REACTIONS, "attention")


def crowd_of(source) -> CrowdTimeline | None:
    """The source's crowd timeline (k-anonymous: k distinct viewers behind every second),
    through the reverse relation; ``None`` when no second has enough viewers yet."""
    aggregate = getattr(source, "crowd", None)  # the reverse one-to-one raises AttributeError
    if aggregate is None:
        return None
    shown = aggregate.timeline()
    return None if shown.is_empty else shown


def crowd_chart(*, crowd: CrowdTimeline, duration: float | None, moments: list) -> dict:
    """Polylines: per second, the share of viewers reacting with each emotion above their own
    baseline, and mean attention; gaps where too few viewers watched."""
    n = len(crowd.viewers)
    span = duration or n or 1
    lines = []
    for key in CROWD_SERIES:
        values = crowd.attention if key == "attention" else crowd.shares[key]
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(run) > 1:
                    lines.append({"key": key, "label": emotion_label(key),
                                  "points": " ".join(run)})
                run = []
                continue
            run.append(f"{CHART_WIDTH * (i + 0.5) / span:.1f},"
                       f"{CHART_HEIGHT - CHART_HEIGHT * value:.1f}")
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines,
            "marks": chart_marks(moments, span), "ticks": chart_ticks(span),
            "viewers": crowd.most_viewers, "min_viewers": crowd.min_viewers,
            "keys": [{"key": k, "label": emotion_label(k)} for k in CROWD_SERIES]}


def _crowd_phrase(emotion: str, count: int) -> str:
    phrases = {
        "happy": ngettext("%(count)d viewer laughed", "%(count)d viewers laughed", count),
        "sad": ngettext("%(count)d viewer was moved", "%(count)d viewers were moved", count),
        "angry": ngettext("%(count)d viewer got angry", "%(count)d viewers got angry", count),
        "surprise": ngettext("%(count)d viewer was surprised", "%(count)d viewers were surprised",
                             count),
    }
    return phrases[emotion] % {"count": count}


def moment_agreement(*, moment, heat: list, crowd: CrowdTimeline | None) -> list[dict]:
    """The signals that agree with a comment moment, for its badge ("comments + replays + 7
    viewers laughed"). Replays and the crowd are read now (the crowd grows after the moment
    was found); comments, captions and the owner's reactions as the fusion stored them."""
    stored = (moment.evidence or {}).get("fusion") or {}
    values = dict(stored.get("values") or {})
    parts = []
    if values.get("comments", 1.0) >= AGREES_AT:
        parts.append({"signal": "comments", "label": _("comments")})
    if heat:
        scale = Signal("heatmap", heat).scale
        near = series_value(heat, moment.peak)
        if scale and near is not None and near / scale >= AGREES_AT:
            parts.append({"signal": "heatmap", "label": _("replays")})
    if values.get("captions", 0.0) >= AGREES_AT:
        parts.append({"signal": "captions", "label": _("laughter in the captions")})
    if crowd is not None:
        counts = {e: crowd.reacted_at(moment.peak, e) for e in REACTIONS}
        best = max(counts, key=lambda e: counts[e])
        series = crowd.reaction_series()
        scale = max((v for v in series if v is not None), default=0.0)
        near = series_value(series, moment.peak)
        if counts[best] and scale and near is not None and near / scale >= AGREES_AT:
            parts.append({"signal": "crowd", "label": _crowd_phrase(best, counts[best])})
    if values.get("own", 0.0) >= AGREES_AT:
        parts.append({"signal": "own", "label": _("you reacted")})
    return parts


def video_page(*, video: Video) -> dict:
    """Everything the video page shows. Moments and their clips come through the video's
    reverse relation (`clips` owns them; this app only reads what the relation offers)."""
    moments = list(video.moments.comment_moments().with_clips())
    source = video.source
    crowd = crowd_of(source)
    heat = heatmap_series(source.heatmap, duration=source.duration)
    for moment in moments:
        moment.agreement = moment_agreement(moment=moment, heat=heat, crowd=crowd)
        moment.emotion_label = emotion_label(moment.emotion) if moment.emotion else ""
    return {
        "video": video,
        "source": source,
        "moments": moments,
        "job": latest_job(user=video.user, target=f"video:{video.pk}"),
        "chart": timeline_chart(histogram=video.mention_histogram, heatmap=source.heatmap,
                                duration=source.duration, moments=moments,
                                cues=source.caption_cues),
        "caption_track": CaptionTrack.objects.filter(source=source).first(),
        "caption_form": (CaptionFileForm() if source.kind == source.Kind.UPLOAD
                         and source.uploaded_by_id == video.user_id else None),
        "no_moments": video.get_no_moments_reason_display() if video.no_moments_reason else "",
        "comments_error": youtube_error_text(source.comments_error),
        "comment_count": video_comments(video=video).count(),
        "sessions": list(video.sessions.order_by("-started_at")[:10]),
        "crowd": crowd_chart(crowd=crowd, duration=source.duration, moments=moments)
        if crowd is not None else None,
    }
