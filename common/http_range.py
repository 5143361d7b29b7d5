"""File responses with HTTP Range support, for owner-checked media.

Media is never served from a public URL: clips, thumbnails and source videos belong to a user,
so views check ownership and then hand the file over with `media_file_response` (streamed from
here, by nginx through X-Accel-Redirect, or by object storage through a presigned URL). Browsers need byte ranges to seek
in a <video>, which Django's FileResponse does not do on its own.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


class _RangeFile:
    """Iterates `length` bytes of a file from `start`, in chunks, and closes it."""

    def __init__(self, path: Path, start: int, length: int):
        self.handle = open(path, "rb")  # noqa: SIM115  (closed by close())
        self.handle.seek(start)
        self.remaining = length

    def __iter__(self):
        while self.remaining > 0:
            data = self.handle.read(min(CHUNK, self.remaining))
            if not data:
                break
            self.remaining -= len(data)
            yield data

    def close(self) -> None:
        self.handle.close()


def ranged_file_response(
    request: HttpRequest, path: Path, *, download_name: str | None = None,
    content_type: str | None = None,
) -> HttpResponse | FileResponse:
    """200 with the whole file, 206 with the requested range, or 416 for a bad range."""
    size = path.stat().st_size
    content_type = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    header = request.headers.get("Range", "")
    match = RANGE_RE.match(header.strip()) if header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        length = end - start + 1
        response: HttpResponse | FileResponse = FileResponse(
            _RangeFile(path, start, length), status=206,
                                content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _local_path(file: FieldFile) -> Path | None:
    """The file's path on this machine, or None when its storage is remote (S3)."""
    try:
        return Path(file.path)
    except NotImplementedError:
        return None


def media_file_response(
    request: HttpRequest, file: FieldFile, *, content_type: str,
    download_name: str | None = None,
) -> HttpResponse | FileResponse:
    """Hand an owner-checked media file to the client, the cheapest way the deployment allows.

    Call it only after the ownership check. Three ways, chosen by the storage and settings:

    * remote storage (S3): a redirect to a short-lived presigned URL for this one object,
      with the download name and type signed in, so the bytes never pass through Python;
    * local storage behind nginx (``X_ACCEL_MEDIA_PREFIX`` set): an empty response whose
      ``X-Accel-Redirect`` names nginx's internal location for the file; nginx sends it and
      answers byte ranges itself;
    * local storage, embedded default: streamed from here with byte ranges.
    """
    path = _local_path(file)
    disposition = f'attachment; filename="{download_name}"' if download_name else None
    if path is None:
        parameters = {"ResponseContentType": content_type}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        try:
            url = file.storage.url(file.name, parameters=parameters,  # type: ignore[call-arg]
                                   expire=settings.MEDIA_URL_EXPIRE)
        except TypeError:  # a storage without signed parameters
            url = file.storage.url(file.name)
        response: HttpResponse | FileResponse = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    prefix = settings.X_ACCEL_MEDIA_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name or "")
        response["Cache-Control"] = "private, max-age=3600"
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    return ranged_file_response(request, path, download_name=download_name,
                                content_type=content_type)
