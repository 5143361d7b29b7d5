from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def job_list(request):
    jobs = selectors.jobs_for_user(user=request.user)[:100]
    return render(request, "jobs/list.html", {"jobs": jobs, "show_demo": _may_demo(request)})


def _may_demo(request) -> bool:
    """The demonstration job is a tool for staff, not for users: `make run` has DEBUG on, and
    a newcomer there must not meet a button that does nothing for them."""
    return request.user.is_staff


@login_required
@require_POST
def demo_start(request):
    if not _may_demo(request):
        raise PermissionDenied
    services.demo_job_start(user=request.user)
    return redirect("jobs")
