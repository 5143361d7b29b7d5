"""Pages for watch sessions: the consent step, the watch page, the session list and page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.emotions import series_labels
from common.errors import ApplicationError
from videos.selectors import get_video_for_user

from . import selectors, services


@login_required
def session_list(request):
    sessions = selectors.sessions_for_user(user=request.user)
    return render(request, "analysis/session_list.html", {"sessions": sessions})


@login_required
def watch(request, pk: int):
    """The watch page: consent, player, webcam preview, live meter. Starts a session on POST."""
    video = get_video_for_user(request.user, pk)
    if request.method == "POST":
        try:
            session = services.session_start(
                user=request.user, video=video,
                remember_consent=request.POST.get("remember") == "on")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("video_detail", pk=video.pk)
        return redirect("watch_session", pk=session.pk)
    return render(request, "analysis/watch_consent.html", {"video": video,
                                                           "source": video.source})


@login_required
def watch_session(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    if session.status != session.Status.ACTIVE:
        return redirect("session_detail", pk=session.pk)
    return render(request, "analysis/watch.html", {
        "session": session, "video": session.video, "source": session.video.source,
        "emotions": series_labels()})


class ReactionForm(forms.Form):
    file = forms.FileField(label=_("Your recording"))
    offset = forms.FloatField(
        label=_("The video started at (seconds into your recording)"), initial=0,
        help_text=_("Where, in your recording, the video began playing."))


@login_required
def session_reaction(request, pk: int):
    """"I watched this with my camera recording": upload the recording instead of streaming."""
    session = selectors.get_session_for_user(request.user, pk)
    if session.status != session.Status.ACTIVE:
        return redirect("session_detail", pk=session.pk)
    form = ReactionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_add_reaction(session=session, upload=form.cleaned_data["file"],
                                          offset=form.cleaned_data["offset"])
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field") if exc.extra else None, exc.message)
        else:
            messages.success(request, _("Your recording is being read; the clips follow."))
            return redirect("session_detail", pk=session.pk)
    return render(request, "analysis/reaction.html", {
        "session": session, "video": session.video, "source": session.video.source,
        "form": form})


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
@require_POST
def session_retry(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    try:
        services.session_retry(session=session)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("session_detail", pk=session.pk)


@login_required
def session_detail(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    return render(request, "analysis/session_detail.html", selectors.session_page(session=session))
