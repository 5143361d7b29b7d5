"""Pages for a user's videos: the library, adding one, its page, retry, remove, the file."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from common.http_range import media_file_response

from . import selectors, services
from .forms import AddVideoForm, CaptionFileForm
from .options import VideoOptions


@login_required
def video_list(request):
    videos = selectors.videos_for_user(user=request.user)
    return render(request, "videos/video_list.html",
                  {"videos": videos, "form": AddVideoForm()})


@login_required
def video_add(request):
    form = AddVideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            options = VideoOptions.from_data(data)
            if data["url"]:
                video, _job = services.video_add_from_url(
                    user=request.user, url=data["url"], comments_file=data["comments_file"],
                    options=options)
            else:
                video, _job = services.video_add_from_upload(
                    user=request.user, upload=data["file"], comments_file=data["comments_file"],
                    options=options)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            messages.success(request, _("Added. We are finding the moments now."))
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                # The page sent it with a progress bar (static/js/site.js): it navigates.
                return JsonResponse({"location": reverse("video_detail", args=[video.pk])})
            return redirect("video_detail", pk=video.pk)
    return render(request, "videos/video_add.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def video_sample(request):
    """"Try a sample": add the generated sample video and its comments in one click."""
    try:
        video, _job = services.video_add_sample(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("videos")
    messages.success(request, _("The sample video was added. We are finding its moments now."))
    return redirect("video_detail", pk=video.pk)


@login_required
def video_detail(request, pk: int):
    video = selectors.get_video_for_user(request.user, pk)
    return render(request, "videos/video_detail.html", selectors.video_page(video=video))


@login_required
@require_POST
def video_retry(request, pk: int):
    video = selectors.get_video_for_user(request.user, pk)
    try:
        services.video_reprocess(video=video)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("video_detail", pk=video.pk)


@login_required
@require_POST
def video_captions(request, pk: int):
    """Add a .srt/.vtt caption file to one of the user's own uploaded videos."""
    video = selectors.get_video_for_user(request.user, pk)
    form = CaptionFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a .srt or .vtt file."))
        return redirect("video_detail", pk=video.pk)
    try:
        track = services.caption_track_upload(video=video,
                                              caption_file=form.cleaned_data["caption_file"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("Captions added: %(n)d line.",
                                           "Captions added: %(n)d lines.",
                                           track.cue_count) % {"n": track.cue_count})
    return redirect("video_detail", pk=video.pk)


@login_required
@require_POST
def video_comments(request, pk: int):
    """Add a comments file to a video already in the library (then find moments again)."""
    video = selectors.get_video_for_user(request.user, pk)
    upload = request.FILES.get("comments_file")
    if upload is None:
        messages.error(request, _("Choose a comments file first."))
        return redirect("video_detail", pk=video.pk)
    try:
        services.video_import_comments(video=video, comments_file=upload)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comments added. We are finding the moments again."))
    return redirect("video_detail", pk=video.pk)


@login_required
@require_http_methods(["GET", "POST"])
def video_delete(request, pk: int):
    """GET: what removing takes with it, and a clear choice; POST: remove."""
    video = selectors.get_video_for_user(request.user, pk)
    if request.method == "GET":
        return render(request, "videos/video_delete.html", {
            "video": video, "source": video.source,
            "clip_count": video.moments.filter(clip__isnull=False).count(),
            "session_count": video.sessions.count()})
    services.video_delete(video=video)
    messages.success(request, _("The video and its clips were removed."))
    return redirect("videos")


@login_required
def video_poster(request, pk: int):
    """A frame of the video for the library (made on first request for older videos)."""
    video = selectors.get_video_for_user(request.user, pk)
    if not services.source_make_poster(source=video.source):
        raise Http404("No poster")
    return media_file_response(request, video.source.poster, content_type="image/jpeg")


@login_required
def video_file(request, pk: int):
    """The source video for the owner's player (byte ranges work on every delivery path);
    with ``?download=1``, as an attachment under the name the timeline exports refer to."""
    video = selectors.get_video_for_user(request.user, pk)
    name = (selectors.source_download_name(video.source) if request.GET.get("download")
            else None)
    return media_file_response(request, selectors.video_media(video=video),
                               content_type="video/mp4", download_name=name)


