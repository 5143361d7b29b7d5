"""Friendly "not found" answers, whatever DEBUG says.

With DEBUG on (`make run`), Django answers an unknown URL with its technical page, which lists
every route: not what a person trying the product should see, nor what an API client can
parse. This middleware swaps any HTML 404 that is not already ours for ours: the product's
page, or for the REST API the one error shape (`{"message", "extra"}`). Server errors keep
Django's debug page in development, where it helps.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import views


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 404 and not getattr(response, views.FRIENDLY, False)
                and response.get("Content-Type", "").startswith("text/html")):
            return views.error_404(request)
        return response
