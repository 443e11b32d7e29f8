"""Sessions: rotation, idle and absolute timeouts, logout and logout everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from verzuim.accounts.models import UserSession
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db


def age_session(client, **seconds):
    session = client.session
    for key, delta in seconds.items():
        session[key] -= delta
    session.save()


def test_session_records_user_address_and_browser(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.user == hr_user
    assert row.ip == "127.0.0.1"


def test_idle_session_ends(client, tenant, hr_user, logged_in_client):
    logged_in_client(hr_user)
    age_session(client, seen_at=tenant.session_idle_minutes * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(event=Event.SESSION_EXPIRED, subject=hr_user).exists()


def test_active_session_ends_at_the_absolute_limit(client, tenant, hr_user, logged_in_client):
    logged_in_client(hr_user)
    age_session(client, auth_at=tenant.session_absolute_hours * 3600 + 1)
    assert client.get("/").status_code == 302


def test_activity_keeps_the_session_alive(client, tenant, hr_user, logged_in_client):
    logged_in_client(hr_user)
    age_session(client, seen_at=tenant.session_idle_minutes * 60 - 5)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # seen_at was refreshed by the first request


def test_logout_needs_post_and_ends_the_session_server_side(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not UserSession.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(event=Event.LOGOUT, subject=hr_user).exists()


def test_stolen_session_cookie_is_useless_after_logout(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    stolen = client.cookies["verzuim_session"].value
    client.post("/accounts/logout/")
    thief = Client()
    thief.cookies["verzuim_session"] = stolen
    assert thief.get("/").status_code == 302


def test_logout_everywhere_ends_every_session_of_the_user(
    client, hr_user, logged_in_client, password, sms_code
):
    logged_in_client(hr_user)
    laptop = client
    phone = Client()
    phone.post("/accounts/login/", {"username": hr_user.username, "password": password})
    phone.post("/accounts/verify/sms/", {"code": sms_code()})
    assert phone.get("/").status_code == 200
    laptop.post("/accounts/logout/everywhere/")
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert AuditEvent.objects.filter(event=Event.LOGOUT_EVERYWHERE).exists()


def test_session_cookie_is_httponly(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    assert client.cookies["verzuim_session"]["httponly"]
    assert client.cookies["verzuim_session"]["samesite"] == "Lax"
