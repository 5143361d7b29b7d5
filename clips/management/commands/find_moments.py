"""`python manage.py find_moments --comments FILE [--duration SECONDS] [--top 5] [--json]`

The comment-moments ranking alone: no video file, no network, nothing stored. Reads any
comments file the upload accepts (and a JSON array of plain comment strings) and prints the
ranked moments; with ``--json`` stdout carries only a JSON list of
``{"peak", "start", "end", "score", "comments", "authors", "evidence"}``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comment_files import CommentFileError, parse_comments_file
from comment_files.parse import MAX_FILE_BYTES
from comments.ranking import mentions_from_comments, rank_comment_moments
from comments.text import html_to_plain_text
from common.errors import ApplicationError
from timeline import MAX_T_SECONDS, clock
from videos.options import VideoOptions


class Command(BaseCommand):
    help = "Rank the moments a comments file points to (no video needed, nothing stored)."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=Path, required=True,
                            help="comments file: JSON lines, JSON, CSV, or a JSON array of texts")
        parser.add_argument("--duration", type=float, default=None,
                            help="the video's length in seconds (times beyond it are ignored)")
        defaults = VideoOptions.default()
        parser.add_argument("--top", type=int, default=defaults.top_k)
        parser.add_argument("--before", type=int, default=defaults.clip_before)
        parser.add_argument("--after", type=int, default=defaults.clip_after)
        parser.add_argument("--json", action="store_true", help="print only a JSON list")

    def handle(self, *args, **opts):
        try:
            VideoOptions(top_k=opts["top"], clip_before=opts["before"], clip_after=opts["after"],
                         aspect="source").validated()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        duration = opts["duration"]
        if duration is not None and not (math.isfinite(duration) and 0 < duration <= MAX_T_SECONDS):
            raise CommandError(f"--duration must be between 0 and {MAX_T_SECONDS} seconds.")
        path: Path = opts["comments"]
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB.")
            comments = parse_comments_file(path.read_bytes(), path.name)
        except (OSError, CommentFileError) as exc:
            raise CommandError(f"Could not read {path}: {exc}") from exc
        texts = {c.comment_id: (html_to_plain_text(c.text) if c.is_html else c.text)
                 for c in comments}
        names = {c.comment_id: c.author or c.author_channel_id for c in comments}
        mentions = mentions_from_comments(
            ((c.comment_id, c.author_channel_id or c.author, c.text, c.like_count)
             for c in comments), duration=duration)
        moments = rank_comment_moments(mentions, duration=duration, top_k=opts["top"],
                                       before=opts["before"], after=opts["after"])
        result = [
            {
                "peak": m.peak, "start": m.start, "end": m.end, "score": m.score,
                "comments": m.mention_count, "authors": m.distinct_authors,
                "evidence": [
                    {"comment_id": q["comment_id"], "author": names.get(q["comment_id"], ""),
                     "text": texts.get(q["comment_id"], q["text"]), "likes": q["likes"]}
                    for q in m.top_comments
                ],
            }
            for m in moments
        ]
        sys.stderr.write(f"{len(comments)} comments, {len(mentions)} timestamps, "
                         f"{len(result)} moments\n")
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        if not result:
            self.stdout.write("No comment names a time inside the video.")
        for rank, m in enumerate(result, start=1):
            lead = m["evidence"][0]["text"].replace("\n", " ")[:80] if m["evidence"] else ""
            self.stdout.write(f"{rank}. {clock(m['peak'])} ({clock(m['start'])}–{clock(m['end'])})"
                              f"  score {m['score']:.2f}, {m['comments']} comments, "
                              f"{m['authors']} authors  “{lead}”")
