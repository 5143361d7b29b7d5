"""The ``clock`` filter: video times as clocks (1:05, 1:02:33) in every template."""

from django import template

import timeline

register = template.Library()


@register.filter
def clock(seconds: object) -> str:
    try:
        return timeline.clock(float(seconds))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
