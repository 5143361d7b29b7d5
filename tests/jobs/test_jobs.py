import pytest
from django.urls import reverse

from common.errors import ApplicationError
from jobs import services
from jobs.models import Job

pytestmark = pytest.mark.django_db


def test_demo_job_runs_to_done_with_progress(staff_client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("job_demo"))
    assert response.status_code == 302
    job = Job.objects.get(user=staff)
    assert job.kind == Job.Kind.DEMO
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert "10" in job.message


def test_job_run_records_application_error(alice):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)

    def work(job, progress):
        progress(40, "Half way")
        raise ApplicationError("The video is private.")

    services.job_run(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The video is private."
    assert job.progress == 40


def test_job_run_hides_unexpected_exception_details(alice, caplog):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)

    def work(job, progress):
        raise KeyError("internal detail")

    services.job_run(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "internal detail" not in job.error
    assert "KeyError" in job.error
    assert "crashed" in caplog.text


def test_job_run_skips_a_finished_job(alice):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    services.job_done(job=job)
    calls = []
    services.job_run(job_id=job.pk, work=lambda j, p: calls.append(1))
    assert calls == []


def test_progress_never_goes_backwards_and_reaches_100(alice):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    progress = services.ProgressReporter(job, min_interval=0)
    progress(30)
    progress(10)
    job.refresh_from_db()
    assert job.progress == 30
    sub = progress.sub(50, 100)
    sub(50)
    job.refresh_from_db()
    assert job.progress == 75
    sub(100)
    job.refresh_from_db()
    assert job.progress == 100


def test_jobs_api_is_scoped_to_owner(api_client, alice, bob):
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    api_client.force_authenticate(bob)
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api_client.get("/api/v1/jobs/").json()["results"] == []
    api_client.force_authenticate(alice)
    body = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["id"] == job.pk and body["status"] == "pending"
    assert [j["id"] for j in api_client.get("/api/v1/jobs/").json()["results"]] == [job.pk]


def test_jobs_page_lists_only_own_jobs(alice_client, alice, bob):
    mine = services.job_create(user=alice, kind=Job.Kind.DEMO)
    theirs = services.job_create(user=bob, kind=Job.Kind.DEMO)
    html = alice_client.get(reverse("jobs")).content.decode()
    assert f'data-job-id="{mine.pk}"' in html
    assert f'data-job-id="{theirs.pk}"' not in html


def test_api_demo_job_is_for_staff(api_client, alice, staff, django_capture_on_commit_callbacks):
    api_client.force_authenticate(alice)
    assert api_client.post("/api/v1/jobs/demo/").status_code == 403
    assert not Job.objects.exists()  # a user cannot fill the workers with demonstrations
    api_client.force_authenticate(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/jobs/demo/")
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["id"]).status == Job.Status.DONE


def test_job_messages_speak_the_language_of_the_page_that_started_it(alice):
    from django.utils import translation

    with translation.override("ko"):
        job = services.job_create(user=alice, kind=Job.Kind.DEMO)
    assert job.language == "ko"
    services.job_run(job_id=job.pk, work=lambda job, progress: services.demo_count(
        job=job, progress=progress, steps=2, delay=0))
    job.refresh_from_db()
    assert job.message == "2까지 셌습니다"
    assert translation.get_language() != "ko"  # the worker's language is restored
