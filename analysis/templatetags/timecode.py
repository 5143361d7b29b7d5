"""Video times as clocks (1:05, 1:02:33): readable in every language, unlike "65 s"."""

from django import template

register = template.Library()


@register.filter
def clock(seconds) -> str:
    try:
        total = max(0, int(round(float(seconds))))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
