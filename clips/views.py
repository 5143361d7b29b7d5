
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.emotions import REACTIONS
from common.http_range import media_file_response

from . import selectors
from .models import Clip
from .services import rendering


@login_required
def gallery(request):
    sort = "date" if request.GET.get("sort") == "date" else "intensity"
    return render(request, "clips/gallery.html",
                  selectors.gallery_for_user(user=request.user, sort=sort))


@login_required
def clip_file(request, pk: int):
    clip = selectors.get_clip_for_user(request.user, pk)
    return media_file_response(request, selectors.clip_media(clip, "file"), content_type="video/mp4")


@login_required
def clip_thumbnail(request, pk: int):
    clip = selectors.get_clip_for_user(request.user, pk)
    return media_file_response(request, selectors.clip_media(clip, "thumbnail"),
                               content_type="image/jpeg")


@login_required
def clip_download(request, pk: int):
    clip = selectors.get_clip_for_user(request.user, pk)
    return media_file_response(request, selectors.clip_media(clip, "file"), content_type="video/mp4",
                               download_name=rendering.clip_download_name(clip))


@login_required
@require_POST
def clip_delete(request, pk: int):
    clip = selectors.get_clip_for_user(request.user, pk)
    rendering.clip_delete(clip=clip)
    messages.success(request, _("The clip was deleted."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "galleries"
    return redirect(target)


class _ZipStream:
    """A write-only file object that hands what zipfile writes to a streaming response."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


@login_required
def gallery_zip(request, emotion: str):
    """All ready clips of one emotion as one zip, streamed as it is built."""
    if emotion not in REACTIONS:
        raise Http404("No such gallery")
    clips = list(selectors.clips_for_user(user=request.user).filter(
        kind="emotion", emotion=emotion, status=Clip.Status.READY))
    if not clips:
        raise Http404("No clips")

    def generate():
        import zipfile

        stream = _ZipStream()
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
            for clip in clips:
                # Through the storage: a local file or an object streamed from S3.
                with clip.file.open("rb") as src, archive.open(
                    rendering.clip_download_name(clip), "w", force_zip64=True
                ) as dst:
                    while chunk := src.read(256 * 1024):
                        dst.write(chunk)
                        yield stream.drain()
        yield stream.drain()

    response = StreamingHttpResponse(generate(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="shortory-{emotion}-clips.zip"'
    return response
