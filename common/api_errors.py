"""One error shape for the whole REST API: {"message": ..., "extra": {...}}."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from common.errors import ApplicationError


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if key in ("non_field_errors", "detail") else f"{key}: {message}"
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    extra: dict[str, Any] = (
        {"fields": detail} if isinstance(detail, dict) and "detail" not in detail else {})
    if isinstance(detail, list):
        extra = {"errors": detail}
    response.data = {"message": _first_message(detail), "extra": extra}
    return response


@csrf_exempt  # it changes nothing, whatever the method
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that matches no route (``/api/v1/clips/abc/``): the API's own
    error shape, not the HTML 404 page."""
    return JsonResponse({"message": gettext("Not found."), "extra": {}}, status=404)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "extra": {"type": "object"}},
    "required": ["message", "extra"],
}
ERROR_STATUSES = {
    "400": "The request is invalid; `message` says why.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed.",
    "404": "No such resource, or it is not yours.",
    "405": "Method not allowed.",
    "406": "The requested content type is not available.",
    "413": "The request body is too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests; try again later.",
}


def add_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the error responses
    it can give, in the one error shape (schemathesis checks the schema against the server)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                })
    return result
