"""`python manage.py make_shorts <youtube-url | video-file> [--comments FILE] [--out DIR] [--top 5]`

The comment-moments pipeline from the command line, writing clips and a `moments.json` into
--out. With a local file and a comments file it runs fully offline; nothing is stored in the
database.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import render
import youtube
from comment_files import CommentFileError, parse_comments_file
from comments.ranking import mentions_from_comments, rank_comment_moments
from common.errors import ApplicationError
from videos.options import VideoOptions


class Command(BaseCommand):
    help = "Find the moments viewers point to in comments and cut them into clips."

    def add_arguments(self, parser):
        parser.add_argument("video", help="a YouTube URL or a local video file")
        parser.add_argument("--comments", type=Path, help="comments file (JSON lines, JSON, CSV)")
        parser.add_argument("--out", type=Path, default=Path("shorts"), help="output folder")
        defaults = VideoOptions.default()
        parser.add_argument("--top", type=int, default=defaults.top_k)
        parser.add_argument("--before", type=int, default=defaults.clip_before)
        parser.add_argument("--after", type=int, default=defaults.clip_after)
        parser.add_argument("--aspect", choices=render.ASPECTS, default="source")

    def step(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def handle(self, *args, **opts):
        try:
            VideoOptions(top_k=opts["top"], clip_before=opts["before"], clip_after=opts["after"],
                         aspect=opts["aspect"]).validated()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        local = Path(opts["video"])
        with tempfile.TemporaryDirectory(prefix="shortory-cli-") as tmp:
            heatmap = None
            if local.is_file():
                path = local
                comments = self.read_comments(opts["comments"])
                if comments is None:
                    raise CommandError("A local video needs --comments FILE.")
            else:
                try:
                    video_id = youtube.parse_video_id(opts["video"])
                except youtube.InvalidYouTubeURL as exc:
                    raise CommandError(f"{exc} (and no such file)") from exc
                url = youtube.watch_url(video_id, template=settings.YOUTUBE_WATCH_URL_TEMPLATE)
                self.step(f"[1/4] reading details of {video_id}")
                try:
                    meta = youtube.fetch_metadata(url)
                    heatmap = meta.heatmap
                    comments = self.read_comments(opts["comments"])
                    if comments is None:
                        self.step("[2/4] collecting comments")
                        comments = (
                            youtube.fetch_comments_api(video_id, api_key=settings.YOUTUBE_API_KEY,
                                                       max_comments=settings.MAX_COMMENTS)
                            if settings.YOUTUBE_API_KEY
                            else youtube.fetch_comments_ytdlp(url, max_comments=settings.MAX_COMMENTS)
                        )
                    self.step("[3/4] downloading the video")
                    path = youtube.download_video(
                        url, Path(tmp), max_duration=settings.MAX_VIDEO_DURATION,
                        max_filesize=settings.MAX_UPLOAD_BYTES,
                        ffmpeg_location=render.find_ffmpeg(settings.FFMPEG_BINARY or None),
                        on_progress=lambda pct, msg: self.stdout.write(f"\r  {pct:5.1f}%", ending=""),
                    )
                    self.stdout.write("")
                except (youtube.HarvestError, youtube.DownloadError, render.MediaError) as exc:
                    raise CommandError(str(getattr(exc, "message", exc))) from exc
            try:
                info = render.probe_media(path)
            except render.MediaError as exc:
                raise CommandError(str(exc)) from exc
            self.step(f"{len(comments)} comments, video {info.duration:.1f} s")
            mentions = mentions_from_comments(
                ((c.comment_id, c.author_channel_id or c.author, c.text, c.like_count)
                 for c in comments), duration=info.duration)
            moments = rank_comment_moments(
                mentions, duration=info.duration, top_k=opts["top"], before=opts["before"],
                after=opts["after"], heatmap=heatmap)
            if not moments:
                raise CommandError("No comment mentions a time inside the video: no clips made.")
            summary = []
            for rank, moment in enumerate(moments, start=1):
                self.step(f"[4/4] clip {rank}/{len(moments)}: {moment.start:.1f}–{moment.end:.1f} s "
                          f"({moment.mention_count} mentions, {moment.distinct_authors} viewers)")
                target = out / f"moment-{rank:02d}-{int(moment.peak)}s.mp4"
                result = render.render_clip(path, moment.start, moment.end, target,
                                            aspect=opts["aspect"],
                                            thumbnail=target.with_suffix(".jpg"))
                summary.append({"rank": rank, "peak": moment.peak, "start": moment.start,
                                "end": moment.end, "score": moment.score,
                                "mention_count": moment.mention_count,
                                "distinct_authors": moment.distinct_authors,
                                "top_comments": moment.top_comments, "file": target.name,
                                "duration": result.duration})
        (out / "moments.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        self.step(f"{len(summary)} clips written to {out}")

    def read_comments(self, path: Path | None):
        if path is None:
            return None
        try:
            return parse_comments_file(path.read_bytes(), path.name)
        except (OSError, CommentFileError) as exc:
            raise CommandError(f"Could not read {path}: {exc}") from exc


