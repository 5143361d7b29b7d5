"""Response headers Django has no setting for."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` on every response: the
    camera for this site's own pages only, nothing else a page could ask the browser for;
    and ``Content-Security-Policy``: the first ``settings.CONTENT_SECURITY_POLICY_BY_PATH``
    entry whose prefix starts the path (pages we do not write), else
    ``settings.CONTENT_SECURITY_POLICY``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        csp = content_security_policy(request.path)
        if csp:
            response.headers.setdefault("Content-Security-Policy", csp)
        return response


def content_security_policy(path: str) -> str:
    for prefix, policy in getattr(settings, "CONTENT_SECURITY_POLICY_BY_PATH", ()):
        if path.startswith(prefix):
            return policy
    return getattr(settings, "CONTENT_SECURITY_POLICY", "")
