from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs.services import ApplicationError
from shortory.http_range import ranged_file_response

from . import selectors, services
from .forms import AddVideoForm


@login_required
def video_list(request):
    entries = selectors.library_for_user(user=request.user)
    return render(request, "analysis/video_list.html",
                  {"entries": entries, "form": AddVideoForm()})


@login_required
def video_add(request):
    form = AddVideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = services.VideoOptions(top_k=data["top_k"], clip_before=data["clip_before"],
                                        clip_after=data["clip_after"], aspect=data["aspect"])
        try:
            if data["url"]:
                entry, _job = services.video_add_from_url(
                    user=request.user, url=data["url"], comments_file=data["comments_file"],
                    options=options)
            else:
                entry, _job = services.video_add_from_upload(
                    user=request.user, upload=data["file"], comments_file=data["comments_file"],
                    options=options)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            messages.success(request, _("Added. We are finding the moments now."))
            return redirect("video_detail", pk=entry.pk)
    return render(request, "analysis/video_add.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def video_detail(request, pk: int):
    entry = selectors.get_entry_for_user(request.user, pk)
    return render(request, "analysis/video_detail.html", selectors.entry_page(entry=entry))


@login_required
@require_POST
def video_retry(request, pk: int):
    entry = selectors.get_entry_for_user(request.user, pk)
    try:
        services.entry_reprocess(entry=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("video_detail", pk=entry.pk)


@login_required
@require_POST
def video_delete(request, pk: int):
    entry = selectors.get_entry_for_user(request.user, pk)
    services.entry_delete(entry=entry)
    messages.success(request, _("The video and its clips were removed."))
    return redirect("videos")


@login_required
def video_file(request, pk: int):
    """The source video, streamed with byte ranges, for the owner's player."""
    entry = selectors.get_entry_for_user(request.user, pk)
    path = selectors.entry_video_path(entry=entry)
    return ranged_file_response(request, path, content_type="video/mp4")


@login_required
def session_list(request):
    sessions = selectors.sessions_for_user(user=request.user)
    return render(request, "analysis/session_list.html", {"sessions": sessions})


@login_required
def watch(request, pk: int):
    """The watch page: consent, player, webcam preview, live meter. Starts a session on POST."""
    entry = selectors.get_entry_for_user(request.user, pk)
    if request.method == "POST":
        try:
            session = services.session_start(
                user=request.user, entry=entry,
                remember_consent=request.POST.get("remember") == "on")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("video_detail", pk=entry.pk)
        return redirect("watch_session", pk=session.pk)
    return render(request, "analysis/watch_consent.html", {"entry": entry,
                                                           "source": entry.source})


@login_required
def watch_session(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    if session.status != session.Status.ACTIVE:
        return redirect("session_detail", pk=session.pk)
    return render(request, "analysis/watch.html", {
        "session": session, "entry": session.entry, "source": session.entry.source,
        "emotions": selectors.emotion_labels()})


@login_required
@require_POST
def session_finish(request, pk: int):
    """Fallback for finishing without the socket (the page normally finishes over it)."""
    session = selectors.get_session_for_user(request.user, pk)
    try:
        services.session_finish(session=session)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("session_detail", pk=session.pk)


@login_required
def session_detail(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    return render(request, "analysis/session_detail.html", selectors.session_page(session=session))
