import pytest
from django.urls import reverse

from analysis.models import EmotionSample, WatchSession
from clips.models import Clip, Moment
from jobs.models import Job
from videos.models import Comment, SourceVideo, Video

pytestmark = pytest.mark.django_db


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shortory" in html and reverse("signup") in html
    assert "cdn" not in html.lower()  # everything is served from here


def test_navigation_for_signed_in_user(alice_client):
    html = alice_client.get("/").content.decode()
    for name in ("videos", "galleries", "sessions", "jobs", "profile"):
        assert f'href="{reverse(name)}"' in html


def test_korean_for_korean_browsers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9")
    html = response.content.decode()
    assert 'lang="ko"' in html
    assert "회원가입" in html  # "Sign up"


def test_language_switcher(client):
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert response.status_code == 302
    assert 'lang="ko"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


def test_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


def test_friendly_500(client, settings):
    from shortory.views import error_500

    response = error_500(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_admin_is_staff_only(alice_client, staff_client):
    response = alice_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert staff_client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "model", [Job, SourceVideo, Video, Comment, Moment, WatchSession, EmotionSample, Clip]
)
def test_every_model_has_a_working_admin(staff_client, model, alice):
    from django.contrib import admin

    assert admin.site.is_registered(model)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "x"}).status_code == 200
    model_admin = admin.site._registry[model]
    assert model_admin.list_display != ("__str__",)
    assert model_admin.search_fields


def test_api_docs_are_served_offline(alice_client):
    response = alice_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower() and "cdn.jsdelivr" not in html
    schema = alice_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
