from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

#: Marks a 404 response made here (see shortory.middleware).
FRIENDLY = "shortory_friendly"


def home(request):
    return render(request, "home.html")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the real icon."""
    return redirect(static("favicon.svg"), permanent=True)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": _("Not found."), "extra": {}}, status=404)
    else:
        response = render(request, "errors/404.html", status=404)
    setattr(response, FRIENDLY, True)  # noqa: B010  (FriendlyNotFoundMiddleware leaves it alone)
    return response


def error_500(request):
    # No context processors that touch the database: the error may be the database.
    return render(request, "errors/500.html", status=500)
