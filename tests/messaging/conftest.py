from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.messaging.fake_smtp import FakeSmtp
from tests.messaging.fake_twilio import FakeTwilio

TWILIO = "verzuim.messaging.backends.twilio.TwilioSmsBackend"


@pytest.fixture
def fake_twilio(monkeypatch) -> Iterator[FakeTwilio]:
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # urllib would send it to a configured proxy
    server = FakeTwilio().start()
    yield server
    server.stop()


@pytest.fixture
def twilio(settings, fake_twilio: FakeTwilio) -> FakeTwilio:
    """SMS goes to the real Twilio backend, talking to the local fake Twilio."""
    settings.SMS_BACKEND = TWILIO
    settings.TWILIO_API_BASE = fake_twilio.url
    settings.TWILIO_ACCOUNT_SID = fake_twilio.account_sid
    settings.TWILIO_AUTH_TOKEN = fake_twilio.auth_token
    settings.TWILIO_TIMEOUT_SECONDS = 1
    return fake_twilio


@pytest.fixture
def smtp(settings) -> Iterator[FakeSmtp]:
    """E-mail goes through Django's SMTP backend to a local SMTP server."""
    server = FakeSmtp().start()
    settings.MESSAGING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
