"""Brute-force protection: what a locked-out client is told, and the password-reset limit.

Sign-in attempts (the login page, the admin's login and the API token endpoint all go through
``authenticate``) are counted by django-axes per account and per client address; after
``AXES_FAILURE_LIMIT`` failures either one is locked for ``AXES_COOLOFF_TIME``. The client
address is the socket's, or the one ``NUM_PROXIES`` trusted proxies put in X-Forwarded-For.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_ip_address, get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from common.window_count import count_in_window


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def locked_message(seconds: float) -> str:
    minutes = _minutes(seconds)
    return ngettext(
        "Too many failed sign-in attempts. Sign-in is locked; try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Sign-in is locked; try again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: Any = None,
                     credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the wait, as the API's error shape or the login page."""
    cool_off = get_cool_off(request)
    seconds = cool_off.total_seconds() if cool_off else 3600.0
    message = locked_message(seconds)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message,
                                 "extra": {"retry_after": int(seconds)}}, status=429)
    else:
        form = AuthenticationForm(request, data=request.POST or None)
        form._errors = ErrorDict({"__all__": ErrorList([message])})
        form.cleaned_data = {}
        response = render(request, "registration/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(int(seconds))
    return response


def client_address(request: HttpRequest) -> str:
    """The client's address as axes sees it (the proxy count applied)."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or ""


def password_reset_allowed(request: HttpRequest, email: str, *, limit: int,
                           window: int) -> bool:
    """Count one reset request for this address and this e-mail; False past ``limit`` of
    either within ``window`` seconds."""
    allowed = True
    for key in (f"pwreset:ip:{client_address(request)}", f"pwreset:email:{email.lower()}"):
        allowed = count_in_window(key, window) <= limit and allowed
    return allowed
