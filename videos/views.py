"""Pages for a user's videos: the library, adding one, its page, retry, remove, the file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import ApplicationError
from common.http_range import media_file_response

from . import selectors, services
from .forms import AddVideoForm
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
            return redirect("video_detail", pk=video.pk)
    return render(request, "videos/video_add.html", {"form": form}, status=400 if form.errors else 200)


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
def video_delete(request, pk: int):
    video = selectors.get_video_for_user(request.user, pk)
    services.video_delete(video=video)
    messages.success(request, _("The video and its clips were removed."))
    return redirect("videos")


@login_required
def video_file(request, pk: int):
    """The source video for the owner's player (byte ranges work on every delivery path)."""
    video = selectors.get_video_for_user(request.user, pk)
    return media_file_response(request, selectors.video_media(video=video),
                               content_type="video/mp4")


