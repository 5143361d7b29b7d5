"""Signals the jobs app sends; the apps above it listen (they own the rows a job works on)."""

from django.dispatch import Signal

#: A running job's worker died (its heartbeat stopped) and the job was failed by the sweep:
#: the receivers fail what that job was making (a video's processing, a session's clips).
#: Sent with ``job``.
job_abandoned = Signal()
