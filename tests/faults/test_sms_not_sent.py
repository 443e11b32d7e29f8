"""A failing SMS provider is not met with silence: the code page says the SMS has not gone
out yet and offers a new SMS and a backup code; retries back off and send exactly once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.messaging.fake_twilio import FakeTwilio
from verzuim.messaging.actions import SUPERSEDED
from verzuim.messaging.delivery import deliver_due, retry_delay
from verzuim.messaging.models import OutgoingMessage, Status
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.sms import rules
from verzuim.mfa.sms.models import SmsChallenge

pytestmark = pytest.mark.django_db

NOTICE = "SMS not sent yet, try again or use a backup code"
DUTCH_NOTICE = "SMS nog niet verzonden, probeer opnieuw of gebruik een back-up code"


def notice(body: str) -> str | None:
    """The notice box on the code page, or None."""
    match = re.search(r'<div class="alert[^"]*sms-not-sent".*?</div>', body, re.S)
    return match.group(0) if match else None


def code_page(client) -> str:
    response = client.get("/accounts/verify/sms/")
    assert response.status_code == 200
    return response.content.decode()


def login_message() -> OutgoingMessage:
    challenge = SmsChallenge.objects.order_by("-created_at").first()
    assert challenge is not None and challenge.message is not None
    return OutgoingMessage.objects.get(pk=challenge.message.pk)


def make_due() -> None:
    OutgoingMessage.objects.filter(status=Status.QUEUED).update(next_attempt_at=timezone.now())


@pytest.fixture
def user_with_backup_codes(hr_user):
    generate_backup_codes(hr_user)
    return hr_user


def test_failing_provider_is_told_to_the_user_with_ways_out(
    client, twilio: FakeTwilio, user_with_backup_codes, login_password_step
):
    twilio.script = ["unavailable"]  # 503, then the provider recovers
    login_password_step(user_with_backup_codes)
    assert notice(code_page(client)) is None  # queued a moment ago: nothing to say yet

    deliver_due()  # the worker's first try fails
    message = login_message()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)

    box = notice(code_page(client))
    assert box is not None and NOTICE in box
    assert 'href="/accounts/verify/backup-code/"' in box
    assert "You can request a new SMS in" in box  # the resend action, with its wait
    assert "We have sent a 6-digit code" not in code_page(client)

    # Back-off: the retry waits retry_delay(1) seconds; then the provider takes it.
    assert message.next_attempt_at >= message.created_at + timedelta(seconds=retry_delay(1))
    assert deliver_due() == 0
    make_due()
    assert deliver_due() == 1
    assert notice(code_page(client)) is None
    assert twilio.deliveries_by_key() == {f"verzuim-msg-{message.pk}": 1}


def test_the_notice_is_in_dutch(
    settings, client, twilio: FakeTwilio, user_with_backup_codes, login_password_step
):
    settings.LANGUAGE_CODE = "nl"
    twilio.script = ["unavailable"]
    login_password_step(user_with_backup_codes)
    deliver_due()
    box = notice(code_page(client))
    assert box is not None and DUTCH_NOTICE in box
    assert "back-up codes" in box


def test_a_message_still_queued_after_the_grace_time_is_reported(
    client, twilio: FakeTwilio, hr_user, login_password_step
):
    login_password_step(hr_user)  # no worker ran: the SMS waits in the queue
    OutgoingMessage.objects.update(
        created_at=timezone.now() - timedelta(seconds=rules.NOT_SENT_GRACE_SECONDS - 5)
    )
    assert notice(code_page(client)) is None
    OutgoingMessage.objects.update(
        created_at=timezone.now() - timedelta(seconds=rules.NOT_SENT_GRACE_SECONDS + 1)
    )
    assert NOTICE in (notice(code_page(client)) or "")


def test_after_a_final_failure_a_new_sms_can_be_sent_at_once(
    client, twilio: FakeTwilio, user_with_backup_codes, login_password_step
):
    twilio.script = ["invalid_number"]  # permanent: no retry
    login_password_step(user_with_backup_codes)
    deliver_due()
    first = login_message()
    assert first.status == Status.FAILED

    box = notice(code_page(client))
    assert box is not None and 'action="/accounts/verify/sms/resend/"' in box

    response = client.post("/accounts/verify/sms/resend/", follow=True)
    assert "A new code has been sent" in response.content.decode()
    assert SmsChallenge.objects.count() == 2
    deliver_due()
    assert notice(code_page(client)) is None
    assert len(twilio.received) == 1 and login_message().status == Status.SENT


def test_a_resend_stops_the_retries_of_the_replaced_sms(
    client, twilio: FakeTwilio, hr_user, login_password_step
):
    twilio.script = ["unavailable"]
    login_password_step(hr_user)
    deliver_due()
    first = login_message()
    assert first.status == Status.QUEUED  # a retry is waiting
    SmsChallenge.objects.update(created_at=timezone.now() - timedelta(seconds=31))

    client.post("/accounts/verify/sms/resend/")
    make_due()
    deliver_due()

    first.refresh_from_db()
    assert (first.status, first.last_error) == (Status.FAILED, SUPERSEDED)
    assert first.body == "[removed after delivery]"  # the old code is not kept either
    assert [sms.key for sms in twilio.received] == [f"verzuim-msg-{login_message().pk}"]
