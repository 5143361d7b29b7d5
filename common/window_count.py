"""A count per key over a fixed window, in the Django cache (shared by every process when
the cache is Redis): rate limits on password resets and share-link reports."""

from __future__ import annotations

from django.core.cache import cache


def count_in_window(key: str, window: int) -> int:
    """Count one more event for ``key``; returns the events counted in its current window
    (the window starts with the first event and lasts ``window`` seconds)."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
