"""The reset link: into the session, then a new password; refusals are clear pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tests.accounts.recovery.conftest import NEW_PASSWORD, emails_to
from tests.factories import UserFactory
from verzuim.accounts.models import TrustedDevice, UserSession
from verzuim.accounts.recovery import state
from verzuim.accounts.recovery.tokens import encode_uid, reset_token
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db

NEW = "/recover/password/new/"


def refusals():
    return list(AuditEvent.objects.filter(event=Event.PASSWORD_RESET_LINK_REFUSED).order_by("id"))


def assert_refused(response):
    assert response.status_code == 410
    body = response.content.decode()
    assert "This password link no longer works" in body
    assert 'href="/recover/password/"' in body and "Request a new link" in body
    assert state.SESSION_KEY not in response.wsgi_request.session


def set_new_password(client, password=NEW_PASSWORD):
    return client.post(NEW, {"new_password1": password, "new_password2": password})


def test_the_link_moves_the_token_into_the_session(client, hr_user, reset_path):
    path = reset_path(hr_user)
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == NEW
    assert client.session[state.SESSION_KEY] == {"user_id": hr_user.pk, "token": token}
    page = client.get(NEW)
    assert page.status_code == 200
    body = page.content.decode()
    assert token not in body and hr_user.username in body
    assert body.count('autocomplete="new-password"') == 2
    assert 'maxlength="4096"' in body


def test_a_reset_sets_the_password_ends_sessions_and_notifies(
    client, hr_user, reset_path, password
):
    other = Client()
    assert (
        other.post(
            "/accounts/login/", {"username": hr_user.username, "password": password}
        ).status_code
        == 302
    )
    from tests.conftest import last_sms_code

    assert (
        other.post("/accounts/verify/sms/", {"code": last_sms_code(hr_user.phone)}).status_code
        == 302
    )
    assert other.get("/").status_code == 200
    TrustedDevice.objects.create(user=hr_user, expires_at=hr_user.date_joined + timedelta(days=9))
    path = reset_path(hr_user)
    fresh = Client()
    assert fresh.get(path).status_code == 302
    response = set_new_password(fresh)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    login_page = fresh.get("/accounts/login/").content.decode()
    assert "Your password has been changed" in login_page
    assert "_auth_user_id" not in fresh.session  # not logged in by the reset
    hr_user.refresh_from_db()
    assert hr_user.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=hr_user).exists()
    assert other.get("/").status_code == 302  # the other browser is logged out
    assert not TrustedDevice.objects.filter(user=hr_user).exists()
    event = AuditEvent.objects.get(event=Event.PASSWORD_RESET_DONE)
    assert event.subject == hr_user and event.data == {"sessions_ended": 1}
    notice = emails_to(hr_user.email)[0]
    assert "has just been changed" in notice.body and notice.html_body
    assert NEW_PASSWORD not in notice.body


def test_after_the_reset_the_login_still_asks_for_the_second_factor(client, hr_user, reset_path):
    client.get(reset_path(hr_user))
    set_new_password(client)
    response = client.post(
        "/accounts/login/", {"username": hr_user.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/verify/sms/"
    assert "_auth_user_id" not in client.session


def test_a_blocked_account_stays_blocked_after_a_reset(client, tenant, reset_path):
    blocked = UserFactory(tenant=tenant, username="geblokt", blocked=True)
    client.get(reset_path(blocked))
    assert set_new_password(client).status_code == 302
    response = client.post(
        "/accounts/login/", {"username": blocked.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 403
    blocked.refresh_from_db()
    assert blocked.is_blocked


def test_the_link_is_single_use(client, hr_user, reset_path):
    path = reset_path(hr_user)
    client.get(path)
    set_new_password(client)
    assert_refused(Client().get(path))
    assert refusals()[-1].data == {"reason": "invalid"}
    assert refusals()[-1].subject == hr_user


def test_a_login_after_the_request_kills_the_link(client, hr_user, reset_path, logged_in_client):
    path = reset_path(hr_user)
    logged_in_client(hr_user)
    assert_refused(Client().get(path))


def test_the_passwords_must_match_and_pass_the_validators(client, hr_user, reset_path):
    client.get(reset_path(hr_user))
    response = client.post(NEW, {"new_password1": NEW_PASSWORD, "new_password2": "anders"})
    assert "The two passwords are not the same." in response.content.decode()
    response = set_new_password(client, "password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    long_password = "lang " * 819  # 4095 characters are accepted
    assert set_new_password(client, long_password).status_code == 302


@pytest.mark.parametrize("seconds", [0, 1])
def test_expiry_is_exact(client, hr_user, reset_path, settings, seconds):
    start = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        path = reset_path(hr_user)
    limit = start + timedelta(seconds=settings.PASSWORD_RESET_SECONDS + seconds)
    with time_machine.travel(limit, tick=False):
        response = client.get(path)
    if seconds == 0:
        assert response.status_code == 302
    else:
        assert_refused(response)
        assert refusals()[-1].data == {"reason": "expired"}


def test_the_set_password_form_checks_the_token_again(client, hr_user, reset_path, settings):
    start = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        path = reset_path(hr_user)
        client.get(path)
    later = start + timedelta(seconds=settings.PASSWORD_RESET_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert_refused(set_new_password(client))
    assert refusals()[-1].data == {"reason": "form_expired"}
    hr_user.refresh_from_db()
    assert not hr_user.check_password(NEW_PASSWORD)


def test_a_tampered_token_is_refused(client, hr_user, reset_path):
    path = reset_path(hr_user)
    tampered = path[:-3] + ("0" if path[-3] != "0" else "1") + path[-2:]
    assert_refused(client.get(tampered))
    assert refusals()[-1].data == {"reason": "invalid"}


def test_an_activation_token_is_no_reset_token(client, hr_user):
    from verzuim.accounts.activation.tokens import activation_token

    token = activation_token.make_token(hr_user)
    assert_refused(client.get(f"/recover/password/{encode_uid(hr_user.pk)}/{token}/"))


@pytest.mark.parametrize("uid", ["MTIzNDU2Nzg5", "not-base64!", "AAAA", encode_uid(10**30)])
def test_an_unknown_uid_is_refused(client, tenant, hr_user, uid):
    token = reset_token.make_token(hr_user)
    assert_refused(client.get(f"/recover/password/{uid}/{token}/"))
    [event] = refusals()
    assert event.subject is None and event.tenant == tenant
    assert event.data == {"reason": "unknown_user"}


def test_a_user_of_another_tenant_is_unknown_here(client, tenant, foreign_user):
    token = reset_token.make_token(foreign_user)
    assert_refused(client.get(f"/recover/password/{encode_uid(foreign_user.pk)}/{token}/"))


def test_a_deactivated_account_is_refused(client, hr_user):
    token = reset_token.make_token(hr_user)
    hr_user.is_active = False
    hr_user.save()
    assert_refused(client.get(f"/recover/password/{encode_uid(hr_user.pk)}/{token}/"))


def test_the_form_without_an_opened_link_explains(client, tenant):
    response = client.get(NEW)
    assert response.status_code == 200
    assert "Open the link from your e-mail" in response.content.decode()
    assert not refusals()


def test_opening_a_link_logs_out_another_user_in_this_browser(
    client, tenant, hr_user, manager_user, logged_in_client, reset_path
):
    logged_in_client(manager_user)
    path = reset_path(hr_user)
    assert client.get(path).status_code == 302
    assert "_auth_user_id" not in client.session
