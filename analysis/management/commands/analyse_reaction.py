"""`python manage.py analyse_reaction REACTION_VIDEO --duration SOURCE_SECONDS --offset SECONDS
[--json] [--frames]`

A recorded reaction video through exactly the live path (frame rate and size, face tracking,
attention, the moment finder), from the command line. Stores nothing. With ``--json`` stdout
carries only a JSON list of moments ``{"emotion", "peak", "start", "end", "intensity"}`` in
source-video seconds; with ``--frames`` one JSON line per analysed frame ``{"t", "face_found",
"emotion", "probabilities", "eye_openness", "attention"}`` (then the moments list last when both
are given). Progress goes to stderr.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import render
from emotion.moments import find_emotion_moments
from timeline import MAX_T_SECONDS, clock
from videos.options import VideoOptions

from ...inference import default_recognizer
from ...services import reaction_readings


class Command(BaseCommand):
    help = "Find the emotion moments in a recorded reaction video (nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("video", type=Path, help="the reaction recording (any video file)")
        parser.add_argument("--duration", type=float, required=True,
                            help="the source video's length in seconds")
        parser.add_argument("--offset", type=float, default=0.0,
                            help="seconds into the recording at which the source video started")
        parser.add_argument("--json", action="store_true", help="print only JSON on stdout")
        parser.add_argument("--frames", action="store_true",
                            help="print one JSON line per analysed frame")
        defaults = VideoOptions.default()
        parser.add_argument("--top", type=int, default=defaults.top_k)
        parser.add_argument("--before", type=int, default=defaults.clip_before)
        parser.add_argument("--after", type=int, default=defaults.clip_after)

    def handle(self, *args, **opts):
        duration, offset = opts["duration"], opts["offset"]
        if not (math.isfinite(duration) and 0 < duration <= MAX_T_SECONDS):
            raise CommandError(f"--duration must be between 0 and {MAX_T_SECONDS} seconds.")
        if not (math.isfinite(offset) and abs(offset) <= MAX_T_SECONDS):
            raise CommandError("--offset must be a number of seconds.")
        path: Path = opts["video"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")

        def progress(count: int, t: float) -> None:
            if count % 20 == 0:
                sys.stderr.write(f"\r{count} frames, {clock(t)} of {clock(duration)}")
                sys.stderr.flush()

        samples = []
        try:
            for reading in reaction_readings(path=path, offset=offset, duration=duration,
                                             recognizer=default_recognizer(), on_frame=progress):
                samples.append(reading.sample())
                if opts["frames"]:
                    self.stdout.write(json.dumps(reading.as_json()))
        except render.MediaError as exc:
            raise CommandError(str(exc)) from exc
        sys.stderr.write(f"\r{len(samples)} frames analysed, "
                         f"{sum(s.face_found for s in samples)} with a face\n")
        moments = find_emotion_moments(samples, duration=duration, top_n=opts["top"],
                                       before=opts["before"], after=opts["after"])
        data = [{"emotion": m.emotion, "peak": m.peak, "start": m.start, "end": m.end,
                 "intensity": m.intensity} for m in moments]
        if opts["json"]:
            self.stdout.write(json.dumps(data))
        elif not opts["frames"]:
            if not data:
                self.stdout.write("No emotion stood out.")
            for rank, m in enumerate(data, start=1):
                self.stdout.write(f"{rank}. {m['emotion']} at {clock(m['peak'])} "
                                  f"({clock(m['start'])}–{clock(m['end'])}), "
                                  f"intensity {m['intensity']:.2f}")
