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


def test_wrong_url_is_friendly_even_in_debug(client, settings):
    settings.DEBUG = True
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "could not find that page" in html
    assert "URLconf" not in html and "api/v1/" not in html  # not the technical route list


def test_unknown_api_url_answers_the_json_error_shape(client, settings):
    for debug in (True, False):
        settings.DEBUG = debug
        response = client.get("/api/v1/nope/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"message": "Not found.", "extra": {}}


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_login_lands_on_my_videos_and_logout_says_so(client, alice):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("videos")
    response = client.post(reverse("logout"), follow=True)
    assert "You are logged out" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])  # `make run` has DEBUG on
def test_demo_job_is_for_staff(alice_client, staff_client, settings, debug):
    settings.DEBUG = debug
    assert "start-demo" not in alice_client.get(reverse("jobs")).content.decode()
    assert alice_client.post(reverse("job_demo")).status_code == 403
    assert not Job.objects.exists()
    assert "start-demo" in staff_client.get(reverse("jobs")).content.decode()


def test_no_inline_scripts_or_handlers_in_pages(alice_client, client):
    """A strict Content-Security-Policy blocks inline code: the pages carry none."""
    import re

    for c, url in ((client, "/"), (client, reverse("signup")), (alice_client, reverse("videos")),
                   (alice_client, reverse("galleries")), (alice_client, reverse("jobs"))):
        html = c.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_phone_menu_is_a_real_button(client):
    html = client.get("/").content.decode()
    assert '<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="nav-links">' in html
    assert 'aria-hidden="true">☰' in html  # only the icon is hidden, the label is read


def test_clip_admin_previews_and_edits_only_hidden(alice, staff_client):
    from django.core.files.base import ContentFile

    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="T", duration=60)
    clip = Clip.objects.create(user=alice, source=source, kind="comments", start=1, end=5,
                               status="ready")
    clip.file.save("c.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    clip.thumbnail.save("t.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    change = reverse("admin:clips_clip_change", args=[clip.pk])
    html = staff_client.get(change).content.decode()
    media = reverse("admin:clips_clip_media", args=[clip.pk, "file"])
    assert f'src="{media}"' in html and "<video" in html
    assert 'name="hidden"' in html
    assert 'name="user"' not in html and 'name="file"' not in html and 'name="start"' not in html
    assert b"".join(staff_client.get(media).streaming_content).startswith(b"\x00\x00\x00\x18ftyp")
    staff_client.post(change, {"hidden": "on"})
    clip.refresh_from_db()
    assert clip.hidden is True and clip.user == alice and clip.start == 1


def test_admin_media_is_staff_only(alice, alice_client):
    from django.core.files.base import ContentFile

    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="T", duration=60)
    clip = Clip.objects.create(user=alice, source=source, kind="comments", start=1, end=5)
    clip.file.save("c.mp4", ContentFile(b"x"), save=True)
    response = alice_client.get(reverse("admin:clips_clip_media", args=[clip.pk, "file"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_bulk_deactivate_users_spares_the_moderator(alice, bob, staff, staff_client):
    from accounts.models import User

    response = staff_client.post(reverse("admin:accounts_user_changelist"), {
        "action": "deactivate_users", "_selected_action": [alice.pk, bob.pk, staff.pk]},
        follow=True)
    assert "2 users deactivated." in response.content.decode()
    assert dict(User.objects.values_list("username", "is_active")) == {
        "alice": False, "bob": False, "staff": True}
