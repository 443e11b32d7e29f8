"""Failures at the second step block the account; support unblocks it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import last_sms_code
from tests.factories import UserFactory
from verzuim.accounts.actions import unblock_user
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


def fail_codes(client, times):
    responses = []
    for _ in range(times):
        code = last_sms_code()
        responses.append(
            client.post("/accounts/verify/sms/", {"code": f"{(int(code) + 1) % 10**6:06d}"})
        )
    return responses


@pytest.fixture
def strict_tenant(tenant):
    tenant.second_step_block_threshold = 3
    tenant.save()
    return tenant


def test_repeated_second_step_failures_block_and_warn_by_email(
    client, strict_tenant, hr_user, login_password_step
):
    login_password_step(hr_user)
    responses = fail_codes(client, 3)
    assert [r.status_code for r in responses] == [200, 200, 403]
    body = responses[-1].content.decode()
    assert "Your account is blocked" in body
    assert strict_tenant.support_email in body
    hr_user.refresh_from_db()
    assert hr_user.is_blocked
    deliver_due()
    email = OutboxMessage.objects.get(channel="email", to=hr_user.email)
    assert "blocked" in email.subject
    assert "password appears to be known to someone else" in email.body
    assert email.html_body and "<html" in email.html_body
    assert AuditEvent.objects.filter(event=Event.ACCOUNT_BLOCKED, subject=hr_user).exists()
    assert AuditEvent.objects.filter(event=Event.SECOND_FACTOR_FAILED).count() == 3


def test_failures_add_up_across_login_attempts(client, strict_tenant, hr_user, login_password_step):
    login_password_step(hr_user)
    fail_codes(client, 2)
    other = Client()
    other.post(
        "/accounts/login/", {"username": hr_user.username, "password": "Correct-horse-battery-9"}
    )
    response = fail_codes(other, 1)[0]
    assert response.status_code == 403
    hr_user.refresh_from_db()
    assert hr_user.is_blocked


def test_successful_login_resets_the_failure_count(
    client, strict_tenant, hr_user, login_password_step, sms_code
):
    login_password_step(hr_user)
    fail_codes(client, 2)
    client.post("/accounts/verify/sms/", {"code": sms_code()})
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 0


def test_blocked_user_cannot_log_in_even_with_the_right_codes(
    client, strict_tenant, hr_user, login_password_step, password
):
    login_password_step(hr_user)
    fail_codes(client, 3)
    response = Client().post(
        "/accounts/login/", {"username": hr_user.username, "password": password}
    )
    assert response.status_code == 403
    assert "blocked" in response.content.decode()


def test_blocking_ends_existing_sessions(
    strict_tenant, hr_user, logged_in_client, client, password
):
    logged_in_client(hr_user)
    assert client.get("/").status_code == 200
    attacker = Client()
    attacker.post("/accounts/login/", {"username": hr_user.username, "password": password})
    fail_codes(attacker, 3)
    assert client.get("/").status_code == 302


def test_unblock_lets_the_user_log_in_again_and_is_audited(
    client, strict_tenant, hr_user, support_user, logged_in_client
):
    hr_user.blocked_at = hr_user.date_joined
    hr_user.save()
    assert unblock_user(hr_user, actor=support_user, reason="called, identity checked")
    assert not unblock_user(hr_user, actor=support_user, reason="again")  # idempotent
    event = AuditEvent.objects.get(event=Event.ACCOUNT_UNBLOCKED)
    assert event.actor == support_user and event.subject == hr_user
    deliver_due()
    assert OutboxMessage.objects.filter(
        channel="email", to=hr_user.email, subject__contains="unblocked"
    ).exists()
    logged_in_client(hr_user)
    assert client.get("/").status_code == 200


def test_support_unblocks_in_the_admin_after_logging_in_with_two_factors(
    client, strict_tenant, support_user, logged_in_client
):
    blocked = UserFactory(tenant=strict_tenant, username="geblokkeerd", blocked=True)
    logged_in_client(support_user)
    response = client.post(
        "/beheer/accounts/user/",
        {"action": "unblock", "_selected_action": [blocked.pk]},
        follow=True,
    )
    assert response.status_code == 200
    blocked.refresh_from_db()
    assert not blocked.is_blocked
    assert AuditEvent.objects.filter(event=Event.ACCOUNT_UNBLOCKED, actor=support_user).exists()


def test_admin_login_goes_through_the_portal_login(client, tenant):
    response = client.get("/beheer/login/?next=/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_is_closed_to_users_without_staff_rights(client, tenant, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.get("/beheer/")
    assert response.status_code == 302
