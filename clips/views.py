
import math
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import render as media
from accounts.lockout import client_address
from common.emotions import REACTIONS
from common.errors import ApplicationError
from common.files import local_copy
from common.http_range import media_file_response
from common.ids import parse_id
from jobs.selectors import latest_job
from videos.selectors import get_video_for_user

from . import selectors
from .models import Clip, Reel, Report
from .services import editing, reels, rendering, sharing


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
def clip_subtitles(request, pk: int):
    """The clip's captions as an .srt file, timed from the clip's start."""
    clip = selectors.get_clip_for_user(request.user, pk)
    text = rendering.clip_subtitles(clip)
    if not text:
        raise Http404("This clip has no captions")
    response = HttpResponse(text, content_type="application/x-subrip; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{rendering.clip_download_name(clip, ".srt")}"')
    return response


@login_required
@require_POST
def clip_captions(request, pk: int):
    """Switch the clip's burned-in captions on or off (it is rendered again)."""
    clip = selectors.get_clip_for_user(request.user, pk)
    try:
        rendering.clip_set_captions(clip=clip, captions=request.POST.get("captions") == "on")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The clip is being rendered again."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "galleries"
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def clip_delete(request, pk: int):
    """GET: what deleting takes with it (its file, its share links), and a clear choice;
    POST: delete, then back to where the user came from (same site only)."""
    clip = selectors.get_clip_for_user(request.user, pk)
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    if request.method == "GET":
        return render(request, "clips/clip_delete.html", {
            "clip": clip, "next": target,
            "live_links": clip.share_links.filter(revoked_at__isnull=True).count()})
    rendering.clip_delete(clip=clip)
    messages.success(request, _("The clip was deleted."))
    return redirect(target or "galleries")


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
    clips = list(selectors.gallery_clips_for_user(user=request.user, emotion=emotion))
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


# --- the clip editor -------------------------------------------------------------------------

def _seconds(value: str | None) -> float:
    try:
        number = float(value or "")
    except ValueError:
        return math.nan
    return number


@login_required
def clip_edit(request, pk: int):
    """The editor: preview a new range on the source, then re-cut (POST start/end or reset)."""
    clip = selectors.get_clip_for_user(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reset":
                editing.clip_reset_start(clip=clip, user=request.user)
            else:
                editing.clip_rerender_start(clip=clip, user=request.user,
                                            start=_seconds(request.POST.get("start")),
                                            end=_seconds(request.POST.get("end")))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Re-cutting the clip. The current one plays until the "
                                        "new one is ready."))
        return redirect("clip_edit", pk=clip.pk)
    context = selectors.clip_editor(clip=clip)
    context["job"] = latest_job(user=request.user, target=f"clip:{clip.pk}")
    context["report_reasons"] = Report.Reason.choices
    return render(request, "clips/clip_edit.html", context)


@login_required
def clip_strip(request, pk: int):
    """A thumbnail strip of the source from ``?from=`` to ``?to=`` (seconds), for the editor."""
    clip = selectors.get_clip_for_user(request.user, pk)
    if not clip.source.is_ready:
        raise Http404("No source")
    duration = editing.clip_source_duration(clip)
    low, high = _seconds(request.GET.get("from")), _seconds(request.GET.get("to"))
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = editing.clip_editor_window(clip)
    low, high = max(0.0, low), min(duration, high)
    if high - low < 1 or high - low > 2 * Clip.MAX_SECONDS:
        return HttpResponse(_("The stretch must be 1 to 360 seconds of the video."),
                            status=400, content_type="text/plain; charset=utf-8")
    with tempfile.TemporaryDirectory(prefix="shortory-strip-") as tmp, \
            local_copy(clip.source.file) as source_path:
        try:
            path = media.thumbnail_strip(source_path, low, high,
                                         Path(tmp) / "strip.jpg", frames=12, height=72)
        except media.MediaError as exc:
            return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
        response = HttpResponse(path.read_bytes(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- share links ---------------------------------------------------------------------------

@login_required
@require_POST
def clip_share(request, pk: int):
    clip = selectors.get_clip_for_user(request.user, pk)
    if request.POST.get("action") == "revoke":
        if sharing.share_links_revoke(clip=clip):
            messages.success(request, _("The link no longer works."))
    else:
        try:
            sharing.share_link_create(clip=clip)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Anyone with the link can watch this clip."))
    return redirect(reverse("clip_edit", args=[clip.pk]) + "#share")


def _no_store(response):
    # A revoked or taken-down link must stop working at once: nothing may cache it.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def share_page(request, token: str):
    """The public page of a shared clip: no sign-in, no names but public YouTube ones."""
    link = selectors.get_live_share_link(token)
    if request.method == "GET":
        sharing.share_link_count_view(link=link)
    context = selectors.share_page(link=link)
    context["report_reasons"] = Report.Reason.choices
    context["poster_url"] = request.build_absolute_uri(reverse("share_poster", args=[token]))
    context["video_url"] = request.build_absolute_uri(reverse("share_file", args=[token]))
    context["page_url"] = request.build_absolute_uri(reverse("share_page", args=[token]))
    return _no_store(render(request, "clips/share.html", context))


def share_file(request, token: str):
    link = selectors.get_live_share_link(token)
    return _no_store(media_file_response(request, selectors.clip_media(link.clip, "file"),
                                         content_type="video/mp4"))


def share_poster(request, token: str):
    link = selectors.get_live_share_link(token)
    return _no_store(media_file_response(
        request, selectors.clip_media(link.clip, "thumbnail"), content_type="image/jpeg"))


@require_POST
def share_report(request, token: str):
    link = selectors.get_live_share_link(token)
    if not sharing.report_allowed(address=client_address(request)):
        messages.error(request, _("Too many reports from your connection. Please try again "
                                  "later."))
        response = share_page(request, token)  # a POST: not counted as a view
        response.status_code = 429
        return response
    try:
        sharing.report_create(link=link, reason=request.POST.get("reason", ""),
                              details=request.POST.get("details", ""),
                              reporter=request.user if request.user.is_authenticated else None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. A moderator will look at this clip."))
    return redirect("share_page", token=token)


# --- highlight reels -----------------------------------------------------------------------

@login_required
def reel_list(request):
    return render(request, "clips/reel_list.html",
                  {"reels": selectors.reels_for_user(user=request.user)})


@login_required
def reel_new(request):
    """Choose clips (of one video, of one emotion gallery, or all) and make a reel."""
    video_id = parse_id(request.GET.get("video"))
    video = get_video_for_user(request.user, video_id) if video_id is not None else None
    emotion = request.GET.get("emotion", "")
    emotion = emotion if emotion in REACTIONS else ""
    candidates = selectors.reel_candidates(user=request.user,
                                           video_id=video.pk if video else None, emotion=emotion)
    error = ""
    chosen: set[int] = {c.pk for c in candidates[:5]}
    if request.method == "POST":
        ids = {parse_id(v) for v in request.POST.getlist("clips")}
        chosen = {i for i in ids if i is not None}
        by_id = {c.pk: c for c in candidates}
        clips = [by_id[i] for i in chosen if i in by_id]
        try:
            if len(clips) != len(ids):
                raise ApplicationError(_("No such clip."), {"field": "clips"})
            reel = reels.reel_create(
                user=request.user, clips=clips, order=request.POST.get("order", "time"),
                title_cards=request.POST.get("title_cards") == "on",
                aspect=request.POST.get("aspect", "source"),
                title=request.POST.get("title", ""),
                captions=request.POST.get("captions") == "on")
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("reel_detail", pk=reel.pk)
    return render(request, "clips/reel_new.html", {
        "video": video, "emotion": emotion, "candidates": candidates, "chosen": chosen,
        "error": error, "aspects": media.ASPECTS, "orders": Reel.Order.choices,
        "max_items": Reel.MAX_ITEMS, "max_seconds": int(Reel.MAX_SECONDS),
        "form": request.POST if request.method == "POST" else {}},
        status=400 if error else 200)


@login_required
def reel_detail(request, pk: int):
    reel = selectors.get_reel_for_user(request.user, pk)
    return render(request, "clips/reel_detail.html", {
        "reel": reel, "job": latest_job(user=request.user, target=f"reel:{reel.pk}")})


@login_required
def reel_file(request, pk: int):
    reel = selectors.get_reel_for_user(request.user, pk)
    return media_file_response(request, selectors.reel_media(reel, "file"),
                               content_type="video/mp4")


@login_required
def reel_thumbnail(request, pk: int):
    reel = selectors.get_reel_for_user(request.user, pk)
    return media_file_response(request, selectors.reel_media(reel, "thumbnail"),
                               content_type="image/jpeg")


@login_required
def reel_download(request, pk: int):
    reel = selectors.get_reel_for_user(request.user, pk)
    return media_file_response(request, selectors.reel_media(reel, "file"),
                               content_type="video/mp4",
                               download_name=reels.reel_download_name(reel))


@login_required
@require_POST
def reel_delete(request, pk: int):
    reels.reel_delete(reel=selectors.get_reel_for_user(request.user, pk))
    messages.success(request, _("The reel was deleted."))
    return redirect("reels")


# --- exports -------------------------------------------------------------------------------

@login_required
def video_export(request, pk: int, fmt: str):
    """A video's moments as .srt markers, FCPXML, CMX3600 EDL, MLT or moments.json."""
    video = get_video_for_user(request.user, pk)
    text, name, content_type = selectors.video_export_text(
        video=video, user=request.user, fmt=fmt, kind=request.GET.get("kind", ""))
    response = HttpResponse(text.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
