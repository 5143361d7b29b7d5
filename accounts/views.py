from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import DeleteAccountForm, ProfileForm, SignUpForm


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Shortory, %(name)s!") % {"name": user.username})
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(
        request.POST or None,
        initial={"email": request.user.email, "webcam_consent": request.user.webcam_consent,
                 "crowd_opt_out": request.user.crowd_opt_out},
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=request.user,
            email=form.cleaned_data["email"],
            webcam_consent=form.cleaned_data["webcam_consent"],
            crowd_opt_out=form.cleaned_data["crowd_opt_out"],
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        request.deleting_account = True
        logout(request)
        services.user_delete_with_data(user=user)
        messages.success(request, _("Your account and all your data were deleted."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Password reset, at most PASSWORD_RESET_LIMIT requests an hour per address and e-mail
    (it sends mail: a loop would flood a mailbox and our sender's reputation)."""

    def form_valid(self, form):
        from .lockout import password_reset_allowed

        if not password_reset_allowed(self.request, form.cleaned_data["email"],
                                      limit=settings.PASSWORD_RESET_LIMIT, window=3600):
            form.add_error(None, _("Too many password reset requests. Try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = "3600"
            return response
        return super().form_valid(form)
