"""Comments as plain data, and a parser for comment files users import.

Pure package: no Django, no network. One concern per module:

* :mod:`comment_files.records`: :class:`HarvestedComment` (the one shape every comment source
  produces), :class:`CommentFileError`, field limits, value parsers, :func:`dedupe_comments`;
* :mod:`comment_files.youtube_formats`: YouTube Data API resources/threads/responses and
  yt-dlp comment entries → records (shared with :mod:`youtube`);
* :mod:`comment_files.flat`: flat comment objects and CSV rows → records;
* :mod:`comment_files.parse`: :func:`parse_comments_file` (decoding, format detection,
  JSON / JSON-lines / CSV).

HTML → text lives in :mod:`comments.text`; :func:`html_to_plain_text` and
:func:`looks_like_html` are re-exported here for the code that imports them from this package.
"""

from comments.text import html_to_plain_text, looks_like_html

from .parse import MAX_COMMENTS, MAX_FILE_BYTES, parse_comments_file
from .records import (
    MAX_AUTHOR_CHARS,
    MAX_CHANNEL_ID_CHARS,
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    CommentFileError,
    HarvestedComment,
    dedupe_comments,
    parse_count,
    parse_published,
)
from .youtube_formats import (
    comment_from_api_resource,
    comment_from_ytdlp,
    comments_from_api_response,
    comments_from_api_thread,
)

__all__ = [
    "MAX_AUTHOR_CHARS",
    "MAX_CHANNEL_ID_CHARS",
    "MAX_COMMENTS",
    "MAX_FILE_BYTES",
    "MAX_ID_CHARS",
    "MAX_TEXT_CHARS",
    "CommentFileError",
    "HarvestedComment",
    "comment_from_api_resource",
    "comment_from_ytdlp",
    "comments_from_api_response",
    "comments_from_api_thread",
    "dedupe_comments",
    "html_to_plain_text",
    "looks_like_html",
    "parse_comments_file",
    "parse_count",
    "parse_published",
]
