"""The SMS second step: masked number, 5-minute single-use codes bound to the attempt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail  # noqa: F401  (kept for readers: e-mail goes via the outbox)
from django.test import Client
from django.utils import timezone

from tests.conftest import last_sms_code
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.sms.models import SmsChallenge

pytestmark = pytest.mark.django_db


def verify(client, code):
    return client.post("/accounts/verify/sms/", {"code": code})


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 10**6:06d}"


def test_sms_page_shows_the_masked_number_only(client, hr_user, login_password_step):
    login_password_step(hr_user)
    body = client.get("/accounts/verify/sms/").content.decode()
    masked = re.search(r'class="masked-phone">([^<]+)<', body).group(1)
    assert masked.endswith(hr_user.phone[-2:])
    assert hr_user.phone not in body and hr_user.phone[3:9] not in masked
    assert 'autocomplete="one-time-code"' in body
    assert 'inputmode="numeric"' in body


def test_sms_is_sent_to_the_verified_number_with_the_code(hr_user, login_password_step):
    login_password_step(hr_user)
    deliver_due()
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.to == hr_user.phone
    assert re.search(r"\b\d{6}\b", sms.body)
    assert "5 minutes" in sms.body


def test_right_code_logs_in_and_rotates_the_session(client, hr_user, login_password_step, sms_code):
    login_password_step(hr_user)
    key_after_password = client.session.session_key
    response = verify(client, sms_code())
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != key_after_password
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(event=Event.LOGIN_SUCCEEDED, subject=hr_user).exists()


def test_code_page_without_password_step_goes_back_to_login(client, tenant):
    response = client.get("/accounts/verify/sms/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_home_requires_the_second_factor(client, hr_user, login_password_step):
    login_password_step(hr_user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_wrong_code_shows_an_error_and_the_right_code_still_works(
    client, hr_user, login_password_step, sms_code
):
    login_password_step(hr_user)
    code = sms_code()
    response = verify(client, wrong_code(code))
    assert response.status_code == 200
    assert "This code is incorrect" in response.content.decode()
    assert "2 more tries" in response.content.decode()
    assert verify(client, code).status_code == 302


def test_code_is_single_use(client, hr_user, login_password_step, sms_code, password):
    login_password_step(hr_user)
    code = sms_code()
    assert verify(client, code).status_code == 302
    # An attacker who saw the code and the password tries it in a new browser.
    attacker = Client()
    attacker.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert (
        "no longer valid" in verify(attacker, code).content.decode()
        or "incorrect" in verify(attacker, code).content.decode()
    )
    assert attacker.get("/").status_code == 302


def test_code_is_bound_to_its_login_attempt(client, hr_user, login_password_step, password):
    login_password_step(hr_user)
    first_code = last_sms_code()
    other = Client()
    other.post("/accounts/login/", {"username": hr_user.username, "password": password})
    response = verify(other, first_code)
    assert response.status_code == 200
    assert other.get("/").status_code == 302


def test_code_expires_after_five_minutes(client, hr_user, login_password_step, sms_code):
    login_password_step(hr_user)
    code = sms_code()
    SmsChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(client, code)
    assert "no longer valid" in response.content.decode()


def test_validity_is_five_minutes_by_default(hr_user, login_password_step):
    login_password_step(hr_user)
    challenge = SmsChallenge.objects.get()
    assert challenge.expires_at - challenge.created_at == timedelta(minutes=5)


def test_code_allows_three_tries_then_a_new_code_is_needed(
    client, hr_user, login_password_step, sms_code
):
    login_password_step(hr_user)
    code = sms_code()
    verify(client, wrong_code(code))
    verify(client, wrong_code(code))
    third = verify(client, wrong_code(code))
    assert "no longer valid" in third.content.decode()
    assert "no longer valid" in verify(client, code).content.decode()


def test_code_is_not_stored_in_plain_text(hr_user, login_password_step):
    login_password_step(hr_user)
    code = last_sms_code()
    challenge = SmsChallenge.objects.get()
    assert code not in challenge.code_digest


def test_malformed_codes_are_refused_without_counting(client, hr_user, login_password_step):
    login_password_step(hr_user)
    for junk in ["", "abc", "1234567", "12345", "١٢٣٤٥٦"]:
        response = verify(client, junk)
        assert response.status_code == 200
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 0


def test_resend_right_away_says_when_it_is_possible(client, hr_user, login_password_step):
    login_password_step(hr_user)
    body = client.get("/accounts/verify/sms/").content.decode()
    assert "You can request a new SMS in 30 seconds" in body
    response = client.post("/accounts/verify/sms/resend/", follow=True)
    assert "You can request a new SMS in" in response.content.decode()
    assert SmsChallenge.objects.count() == 1
    assert AuditEvent.objects.filter(event=Event.SMS_RESEND_REFUSED).exists()


def test_resend_after_the_wait_sends_a_new_code_and_kills_the_old(
    client, hr_user, login_password_step, sms_code
):
    login_password_step(hr_user)
    old = sms_code()
    SmsChallenge.objects.update(created_at=timezone.now() - timedelta(seconds=31))
    response = client.post("/accounts/verify/sms/resend/", follow=True)
    assert "A new code has been sent" in response.content.decode()
    new = sms_code()
    assert SmsChallenge.objects.count() == 2
    if old != new:
        assert "incorrect" in verify(client, old).content.decode()
    assert verify(client, new).status_code == 302
    assert AuditEvent.objects.filter(event=Event.SMS_RESENT).exists()


def test_resend_waits_grow_and_are_capped_per_login(client, hr_user, login_password_step):
    login_password_step(hr_user)
    waits = []
    for _ in range(6):
        SmsChallenge.objects.update(created_at=timezone.now() - timedelta(hours=1))
        client.post("/accounts/verify/sms/resend/")
        body = client.get("/accounts/verify/sms/").content.decode()
        match = re.search(r"new SMS in (\d+ \w+)", body)
        waits.append(match.group(1) if match else "limit" if "maximum number" in body else "?")
    assert SmsChallenge.objects.count() == 5
    assert waits == ["1 minute", "2 minutes", "5 minutes", "limit", "limit", "limit"]


def test_failed_menu_offers_backup_code_and_support(client, hr_user, login_password_step, tenant):
    login_password_step(hr_user)
    body = client.get("/accounts/verify/sms/").content.decode()
    assert "Login failed?" in body
    assert "Use a backup code" in body
    assert tenant.support_email in body


def test_pending_login_expires(client, hr_user, login_password_step, sms_code, settings):
    login_password_step(hr_user)
    session = client.session
    session["pending_login"]["started_at"] -= settings.PENDING_LOGIN_SECONDS + 1
    session.save()
    response = verify(client, sms_code())
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_page_states_the_configured_validity(client, hr_user, login_password_step, settings):
    settings.SMS_CODE_VALIDITY_SECONDS = 600
    login_password_step(hr_user)
    body = client.get("/accounts/verify/sms/").content.decode()
    assert "The code is valid for 10 minutes." in body


def test_validity_can_never_be_set_above_ten_minutes():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import verzuim.settings"],
        env={
            "VERZUIM_SMS_CODE_VALIDITY_SECONDS": "900",
            "VERZUIM_ENVIRONMENT": "test",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "VERZUIM_SMS_CODE_VALIDITY_SECONDS must be at most 600" in result.stderr


def test_wrong_code_is_not_echoed_back_into_the_field(
    client, hr_user, login_password_step, sms_code
):
    login_password_step(hr_user)
    wrong = wrong_code(sms_code())
    body = verify(client, wrong).content.decode()
    assert f'value="{wrong}"' not in body


def test_sms_per_user_are_capped_across_login_attempts(client, hr_user, password, settings):
    """Someone who knows the password cannot make the portal send endless SMS."""
    for _ in range(settings.SMS_MAX_PER_USER_PER_HOUR + 3):
        Client().post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert SmsChallenge.objects.filter(user=hr_user).count() == settings.SMS_MAX_PER_USER_PER_HOUR
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    body = client.get("/accounts/verify/sms/").content.decode()
    assert "No SMS could be sent just now" in body
    assert "Use a backup code" in body


def test_daily_cap_counts_all_purposes(hr_user, settings):
    from verzuim.core.request import Origin
    from verzuim.mfa.exceptions import ResendLimitReached
    from verzuim.mfa.sms.actions import send_code

    settings.SMS_MAX_PER_USER_PER_HOUR = 100
    settings.SMS_MAX_PER_USER_PER_DAY = 4
    for n in range(4):
        send_code(hr_user, f"attempt{n}", Origin())
    with pytest.raises(ResendLimitReached):
        send_code(hr_user, "attempt-x", Origin(), purpose=SmsChallenge.Purpose.REAUTH)


def test_sms_cannot_be_used_when_the_tenant_forbids_it(client, tenant, hr_user, password):
    tenant.allowed_methods = ["totp", "webauthn"]
    tenant.save()
    response = client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response.status_code == 403
    assert "no second-step method" in response.content.decode()
    assert not SmsChallenge.objects.exists()
    # Going straight to the SMS endpoints does not help either.
    assert client.post("/accounts/verify/sms/resend/").status_code == 302
    assert not SmsChallenge.objects.exists()
