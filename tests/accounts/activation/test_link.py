"""Opening the invitation link: the token goes into the session, refusals are clear pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.activation.conftest import NEW_PASSWORD, newest_link_path
from tests.factories import UserFactory
from verzuim.accounts.activation import state
from verzuim.accounts.activation.actions import send_invitation
from verzuim.accounts.activation.tokens import activation_token, encode_uid
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db


def refusals():
    return list(AuditEvent.objects.filter(event=Event.ACTIVATION_LINK_REFUSED).order_by("id"))


def assert_refused_page(response, tenant):
    assert response.status_code == 410
    body = response.content.decode()
    assert "This activation link no longer works" in body
    assert "ask support for a new invitation" in body
    assert tenant.support_email in body and tenant.phone in body
    assert 'href="/accounts/login/"' in body
    assert "Traceback" not in body


def test_a_valid_link_moves_the_token_into_the_session(client, open_link, invited_user):
    path = newest_link_path(invited_user)
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = open_link(path)
    assert response.status_code == 302
    assert response["Location"] == "/activate/password/"
    assert token not in response["Location"]
    saved = client.session[state.SESSION_KEY]
    assert saved["user_id"] == invited_user.pk and saved["token"] == token
    assert saved["step"] == state.PASSWORD
    page = client.get("/activate/password/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Step 1 of 4" in body and invited_user.username in body
    assert token not in body


def test_the_link_can_be_opened_again_until_the_password_is_set(
    client, django_user_model, invited_user
):
    from django.test import Client

    path = newest_link_path(invited_user)
    assert Client().get(path).status_code == 302  # e.g. opened on the phone, then closed
    assert client.get(path).status_code == 302
    assert client.get("/activate/password/").status_code == 200


def test_the_link_is_single_use(client, tenant, invited_user, at_phone_step):
    path = newest_link_path(invited_user)
    at_phone_step()
    from django.test import Client

    response = Client().get(path)
    assert_refused_page(response, tenant)
    assert refusals()[-1].subject == invited_user
    assert refusals()[-1].data == {"reason": "invalid"}


def test_an_expired_link_shows_the_clear_page_and_is_audited(client, tenant, invited_user):
    path = newest_link_path(invited_user)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.get(path)
    assert_refused_page(response, tenant)
    assert "works for 7 days" in response.content.decode()
    [event] = refusals()
    assert event.subject == invited_user and event.outcome == "failure"
    assert event.data == {"reason": "expired"}
    assert state.SESSION_KEY not in client.session


def test_a_link_just_inside_its_lifetime_works(client, invited_user):
    path = newest_link_path(invited_user)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(path).status_code == 302


def test_a_newer_invitation_kills_the_older_link(client, tenant, invited_user):
    old_path = newest_link_path(invited_user)
    send_invitation(invited_user)
    new_path = newest_link_path(invited_user)
    assert old_path != new_path
    assert_refused_page(client.get(old_path), tenant)
    assert client.get(new_path).status_code == 302


def test_a_tampered_token_is_refused(client, tenant, invited_user):
    path = newest_link_path(invited_user)
    tampered = path[:-3] + ("0" if path[-3] != "0" else "1") + path[-2:]
    assert_refused_page(client.get(tampered), tenant)
    assert refusals()[-1].data == {"reason": "invalid"}


@pytest.mark.parametrize("uid", ["MTIzNDU2Nzg5", "not-base64!", "AAAA", encode_uid(10**30)])
def test_an_unknown_uid_is_refused(client, tenant, invited_user, uid):
    token = newest_link_path(invited_user).rstrip("/").rsplit("/", 1)[1]
    response = client.get(f"/activate/{uid}/{token}/")
    assert_refused_page(response, tenant)
    [event] = refusals()
    assert event.subject is None and event.tenant == tenant
    assert event.data == {"reason": "unknown_user"}


def test_a_user_of_another_tenant_is_unknown_here(client, tenant, other_tenant):
    foreign = UserFactory(tenant=other_tenant, activated_at=None, username="elders")
    foreign.set_unusable_password()
    foreign.save()
    link = send_invitation(foreign)
    assert link.startswith("http://andere.verzuim.test/")
    response = client.get(link.split("andere.verzuim.test", 1)[1])  # served by our tenant
    assert_refused_page(response, tenant)
    assert refusals()[-1].data == {"reason": "unknown_user"}


def test_an_activated_account_refuses_its_link(client, tenant, invited_user):
    path = newest_link_path(invited_user)
    invited_user.activated_at = timezone.now()
    invited_user.save()
    assert_refused_page(client.get(path), tenant)
    assert refusals()[-1].data == {"reason": "already_activated"}


def test_a_deactivated_account_refuses_its_link(client, tenant, invited_user):
    path = newest_link_path(invited_user)
    invited_user.is_active = False
    invited_user.save()
    assert_refused_page(client.get(path), tenant)
    assert refusals()[-1].data == {"reason": "inactive"}


def test_a_blocked_account_sees_the_blocked_page(client, tenant, invited_user):
    path = newest_link_path(invited_user)
    invited_user.blocked_at = timezone.now()
    invited_user.save()
    response = client.get(path)
    assert response.status_code == 403
    assert "Your account is blocked" in response.content.decode()
    assert refusals()[-1].data == {"reason": "blocked"}


def test_the_steps_without_a_link_explain_what_to_do(client, tenant):
    for path in ("/activate/password/", "/activate/phone/"):
        response = client.get(path)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Open the link from your e-mail" in body
        assert tenant.support_email in body
    assert not refusals()


def test_the_token_in_the_session_is_checked_again_on_every_step(
    client, tenant, open_link, invited_user
):
    open_link()
    send_invitation(invited_user)  # support sends a newer invitation meanwhile
    response = client.post(
        "/activate/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert_refused_page(response, tenant)
    invited_user.refresh_from_db()
    assert not invited_user.has_usable_password()
    assert refusals()[-1].data == {"reason": "password_step_token"}
    assert client.get("/activate/password/").status_code == 200  # state is gone: "open link"


def test_the_link_expiring_during_the_password_step_ends_it(client, tenant, open_link):
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=6, hours=23, minutes=58)):
        open_link()
    with time_machine.travel(start + timedelta(days=7, minutes=1)):
        assert_refused_page(client.get("/activate/password/"), tenant)


def test_someone_else_logged_in_in_this_browser_is_logged_out(
    client, hr_user, logged_in_client, invited_user
):
    logged_in_client(hr_user)
    response = client.get(newest_link_path(invited_user))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.session[state.SESSION_KEY]["user_id"] == invited_user.pk


def test_a_broken_session_state_is_dropped(client, open_link):
    open_link()
    session = client.session
    session[state.SESSION_KEY] = {"user_id": 1, "unexpected": True}
    session.save()
    assert "Open the link" in client.get("/activate/password/").content.decode()
    session = client.session
    session[state.SESSION_KEY] = {"user_id": 1, "step": "nonsense"}
    session.save()
    assert "Open the link" in client.get("/activate/password/").content.decode()


def test_token_helper_matches_the_mail(invited_user):
    path = newest_link_path(invited_user)
    uid, token = path.strip("/").split("/")[1:]
    assert uid == encode_uid(invited_user.pk)
    assert activation_token.check_token(invited_user, token)
