"""Each support action: its effect, its audit row (actor + reason), its e-mail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import last_sms_code
from tests.factories import PASSWORD, UserFactory
from tests.support.conftest import REASON, log_in
from verzuim.accounts.models import TrustedDevice, UserSession
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.actions import generate_backup_codes, remaining_count
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential
from verzuim.support import actions

pytestmark = pytest.mark.django_db


def post(client, user, action, reason=REASON, **extra):
    data = {f"{action}-reason": reason, **{f"{action}-{k}": v for k, v in extra.items()}}
    return client.post(f"/support/users/{user.pk}/{action}/", data)


def emails_to(address):
    deliver_due()
    return list(OutboxMessage.objects.filter(channel="email", to=address).order_by("created"))


def audit_row(event, subject):
    return AuditEvent.objects.filter(event=event, subject=subject).latest("at", "id")


def give_factors(user):
    TotpDevice.objects.create(
        user=user, name="Phone app", secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    WebAuthnCredential.objects.create(
        user=user, name="YubiKey", credential_id="abc123", public_key=b"\x01\x02"
    )
    generate_backup_codes(user, codes=["ABCD-EFGH-JKMN"])
    TrustedDevice.objects.create(user=user, expires_at=timezone.now() + timezone.timedelta(days=9))
    user.preferred_method = "totp"
    user.save(update_fields=["preferred_method"])


def test_unblock(support_client, support_user, target):
    target.blocked_at = timezone.now()
    target.second_step_failures = 5
    target.save()
    response = post(support_client, target, "unblock")
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_blocked and target.second_step_failures == 0
    row = audit_row(Event.ACCOUNT_UNBLOCKED, target)
    assert row.actor == support_user and row.data["reason"] == REASON
    assert any("unblocked" in m.subject for m in emails_to(target.email))
    page = support_client.get(response["Location"]).content.decode()
    assert "The account is unblocked" in page


def test_unblock_of_an_account_that_is_not_blocked_says_so(support_client, target):
    response = post(support_client, target, "unblock")
    page = support_client.get(response["Location"]).content.decode()
    assert "This account is not blocked." in page
    assert not AuditEvent.objects.filter(event=Event.ACCOUNT_UNBLOCKED).exists()


@pytest.mark.parametrize("reason", ["", "too short", "         x        "])
def test_reason_is_required(support_client, target, reason):
    target.blocked_at = timezone.now()
    target.save()
    response = post(support_client, target, "unblock", reason=reason)
    assert response.status_code == 400
    assert "The action was not carried out" in response.content.decode()
    target.refresh_from_db()
    assert target.is_blocked
    assert not AuditEvent.objects.filter(event=Event.ACCOUNT_UNBLOCKED).exists()


def test_resend_invitation_only_for_accounts_not_yet_activated(
    support_client, support_user, tenant
):
    new = UserFactory(tenant=tenant, username="nina.nieuw", activated_at=None)
    response = post(support_client, new, "invitation")
    assert response.status_code == 302
    row = AuditEvent.objects.filter(event=Event.INVITATION_SENT, subject=new, actor=support_user)
    assert row.filter(data__reason=REASON).exists()
    assert len(emails_to(new.email)) == 1
    new.refresh_from_db()
    assert new.invitation_sent_at is not None

    active = UserFactory(tenant=tenant, username="anne.actief")
    response = post(support_client, active, "invitation")
    page = support_client.get(response["Location"]).content.decode()
    assert "never activated" in page
    assert emails_to(active.email) == []


def test_reset_phone(support_client, support_user, target):
    TrustedDevice.objects.create(
        user=target, expires_at=timezone.now() + timezone.timedelta(days=9)
    )
    user_client = log_in(Client(), target)
    assert UserSession.objects.filter(user=target).exists()
    response = post(support_client, target, "phone", phone="06 87654321")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.phone == "+31687654321" and target.phone_verified_at is None
    assert not UserSession.objects.filter(user=target).exists()
    assert not TrustedDevice.objects.filter(user=target).exists()
    assert user_client.get("/").status_code == 302  # logged out
    row = audit_row(Event.SUPPORT_PHONE_RESET, target)
    assert row.actor == support_user
    assert row.data == {"reason": REASON, "old_ending": "78", "new_ending": "21", "sessions": 1}
    (email,) = [m for m in emails_to(target.email) if "mobile number" in m.subject]
    assert "ending in 21" in email.body
    assert "+31687654321" not in email.body


def test_reset_phone_refuses_an_invalid_number(support_client, target):
    response = post(support_client, target, "phone", phone="12345")
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.phone == "+31612345678"


def test_after_a_phone_reset_the_next_login_confirms_the_new_number(support_client, target):
    post(support_client, target, "phone", phone="06 87654321")
    client = Client()
    response = client.post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/verify/sms/"
    code = last_sms_code("+31687654321")
    assert not OutboxMessage.objects.filter(
        channel="sms", to="+31612345678", created__gt=target.date_joined, body__contains=code
    ).exists()
    response = client.post("/accounts/verify/sms/", {"code": code})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.phone_verified_at is not None
    confirmed = audit_row(Event.PHONE_CONFIRMED, target)
    assert confirmed.actor == target and confirmed.data["ending"] == "21"
    # A later login confirms nothing again.
    log_in(Client(), target)
    assert AuditEvent.objects.filter(event=Event.PHONE_CONFIRMED, subject=target).count() == 1


def test_reset_factors(support_client, support_user, target):
    give_factors(target)
    response = post(support_client, target, "factors")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.preferred_method == "sms"
    assert not target.totp_devices.exists() and not target.webauthn_credentials.exists()
    assert remaining_count(target) == 0
    assert not TrustedDevice.objects.filter(user=target).exists()
    row = audit_row(Event.SUPPORT_FACTORS_RESET, target)
    assert row.actor == support_user
    assert row.data["reason"] == REASON
    assert row.data["apps"] == 1 and row.data["security_keys"] == 1
    assert any("login methods" in m.subject for m in emails_to(target.email))
    # The next login asks for an SMS code.
    response = Client().post(
        "/accounts/login/", {"username": target.username, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/verify/sms/"


def test_end_sessions(support_client, support_user, target):
    user_client = log_in(Client(), target)
    response = post(support_client, target, "sessions")
    assert response.status_code == 302
    assert user_client.get("/").status_code == 302
    row = audit_row(Event.SUPPORT_SESSIONS_ENDED, target)
    assert row.actor == support_user and row.data == {"reason": REASON, "sessions": 1}
    assert any("logged out" in m.subject for m in emails_to(target.email))
    # The support user's own session is untouched.
    assert support_client.get("/support/").status_code == 200


def test_deactivate(support_client, support_user, target):
    user_client = log_in(Client(), target)
    response = post(support_client, target, "deactivate")
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert user_client.get("/").status_code == 302
    row = audit_row(Event.ACCOUNT_DEACTIVATED, target)
    assert row.actor == support_user and row.data["reason"] == REASON
    assert any("deactivated" in m.subject for m in emails_to(target.email))
    response = Client().post(
        "/accounts/login/", {"username": target.username, "password": PASSWORD}
    )
    assert response.status_code != 302 or response["Location"] != "/accounts/verify/sms/"
    page = support_client.get(f"/support/users/{target.pk}/").content.decode()
    assert "deactivated" in page
    # Again: nothing to do.
    response = post(support_client, target, "deactivate")
    assert "already deactivated" in support_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("action", ["phone", "factors", "deactivate"])
def test_support_cannot_reset_or_deactivate_itself(support_client, support_user, action):
    response = post(support_client, support_user, action, phone="06 87654321")
    assert response.status_code == 302
    page = support_client.get(response["Location"]).content.decode()
    assert "You cannot do this to your own account" in page
    support_user.refresh_from_db()
    assert support_user.is_active and support_user.phone_verified_at is not None
    assert not AuditEvent.objects.filter(
        event__in=[
            Event.SUPPORT_PHONE_RESET,
            Event.SUPPORT_FACTORS_RESET,
            Event.ACCOUNT_DEACTIVATED,
        ]
    ).exists()


def test_actions_refuse_another_tenant_when_called_directly(support_user, foreign_user):
    with pytest.raises(PermissionError):
        actions.deactivate(foreign_user, actor=support_user, reason=REASON)
    foreign_user.refresh_from_db()
    assert foreign_user.is_active


@pytest.mark.parametrize("action", ["phone", "factors"])
def test_phone_and_factor_resets_need_a_recent_second_factor(support_client, target, action):
    session = support_client.session
    session["mfa_at"] = 0
    session.save()
    response = post(support_client, target, action, phone="06 87654321")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/again/?next=")
    assert f"%2Fsupport%2Fusers%2F{target.pk}%2F" in response["Location"]
    target.refresh_from_db()
    assert target.phone == "+31612345678"
    assert not AuditEvent.objects.filter(
        event__in=[Event.SUPPORT_PHONE_RESET, Event.SUPPORT_FACTORS_RESET]
    ).exists()
