import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jobs.models import Job
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_custom_user_model_is_in_use():
    assert User._meta.label == "accounts.User"
    assert User._meta.get_field("webcam_consent").default is False


def test_signup_creates_user_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {"username": "carol", "email": "carol@example.com",
         "password1": "a-strong-passphrase-42", "password2": "a-strong-passphrase-42"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="carol")
    assert user.email == "carol@example.com"
    assert client.get(reverse("profile")).status_code == 200  # signed in


def test_signup_rejects_mismatched_passwords(client):
    response = client.post(
        reverse("signup"),
        {"username": "carol", "password1": "a-strong-passphrase-42", "password2": "other-pass-123"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="carol").exists()
    assert "password" in response.content.decode().lower()


def test_login_and_logout(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("jobs")).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("jobs"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_wrong_password_does_not_log_in(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_change(alice_client, alice):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "new-passphrase-99x",
         "new_password2": "new-passphrase-99x"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("new-passphrase-99x")


def test_password_reset_sends_working_link(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"new_password1": "reset-passphrase-77", "new_password2": "reset-passphrase-77"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("reset-passphrase-77")


def test_profile_records_webcam_consent(alice_client, alice):
    response = alice_client.post(
        reverse("profile"), {"email": "new@example.com", "webcam_consent": "on"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.webcam_consent is True and alice.webcam_consent_at is not None
    alice_client.post(reverse("profile"), {"email": "new@example.com"})
    alice.refresh_from_db()
    assert alice.webcam_consent is False and alice.webcam_consent_at is None


def test_delete_account_needs_password_and_removes_data(alice_client, alice, bob):
    Job.objects.create(user=alice, kind=Job.Kind.DEMO)
    Job.objects.create(user=bob, kind=Job.Kind.DEMO)
    Token.objects.create(user=alice)
    response = alice_client.post(reverse("delete_account"), {"password": "wrong"})
    assert response.status_code == 200
    assert User.objects.filter(pk=alice.pk).exists()
    response = alice_client.post(reverse("delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Job.objects.filter(user_id=alice.pk).exists()
    assert not Token.objects.filter(user_id=alice.pk).exists()
    assert Job.objects.filter(user=bob).count() == 1  # bob untouched


def test_pages_need_login(client):
    for name in ("videos", "galleries", "sessions", "jobs", "profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login"))


def test_api_token_obtain_use_and_revoke(api_client, alice):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=alice).key == token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["username"] == "alice"
    assert api_client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=alice).exists()
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}


def test_api_token_bad_credentials_uses_error_shape(api_client, alice):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "bad"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "credentials" in body["message"]
    assert "extra" in body
