from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def job_list(request):
    jobs = selectors.jobs_for_user(user=request.user)[:100]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
@require_POST
def demo_start(request):
    services.demo_job_start(user=request.user)
    return redirect("jobs")
