"""E-mail through Django's SMTP backend to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest

from tests.messaging.fake_smtp import FakeSmtp
from verzuim.messaging.actions import queue_email
from verzuim.messaging.delivery import SCRUBBED, deliver
from verzuim.messaging.models import OutgoingMessage, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome(tenant, hr_user) -> OutgoingMessage:
    return queue_email(
        tenant=tenant,
        to=hr_user.email,
        template="account_created",
        context={"user": hr_user, "has_password": True},
        language="en",
    )


def received_message(smtp: FakeSmtp) -> EmailMessage:
    [mail] = smtp.received
    message = email.message_from_bytes(mail.data, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def test_multipart_text_and_html_with_headers(smtp: FakeSmtp, welcome, hr_user, settings):
    assert deliver(str(welcome.id)) == Status.SENT

    [mail] = smtp.received
    assert mail.rcpt_to == [hr_user.email]
    assert mail.mail_from == settings.DEFAULT_FROM_EMAIL
    message = received_message(smtp)
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "Your login name is: hanna.hr" in parts["text/plain"].get_content()
    assert "<html" in parts["text/html"].get_content()
    assert message["Subject"] == "Your account at Arbodienst Demo"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"] == hr_user.email
    assert message["X-Verzuim-Message-Id"] == str(welcome.id)
    welcome.refresh_from_db()
    assert welcome.provider_id == message["Message-ID"]
    # Stable per message row: a retry after a lost reply carries the same Message-ID.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    assert message["Message-ID"] == f"<{welcome.id}@{domain}>"


def test_sensitive_email_is_scrubbed_after_smtp_delivery(smtp: FakeSmtp, tenant, hr_user):
    message = queue_email(
        tenant=tenant,
        to=hr_user.email,
        template="account_created",
        context={"user": hr_user},
        sensitive=True,
    )

    assert deliver(str(message.id)) == Status.SENT

    message.refresh_from_db()
    assert (message.body, message.html_body) == (SCRUBBED, "")
    assert "hanna.hr" in received_message(smtp).get_body(("plain",)).get_content()


def test_refused_recipient_fails_at_once(smtp: FakeSmtp, welcome, hr_user):
    smtp.refuse.add(hr_user.email)

    assert deliver(str(welcome.id)) == Status.FAILED

    welcome.refresh_from_db()
    assert welcome.attempts == 1 and "550" in welcome.last_error
    assert hr_user.email not in welcome.last_error


def test_unreachable_smtp_server_is_retried(smtp: FakeSmtp, welcome, settings):
    smtp.stop()

    assert deliver(str(welcome.id)) == Status.QUEUED

    welcome.refresh_from_db()
    assert welcome.attempts == 1 and welcome.body != SCRUBBED
