"""The Twilio backend against a local server that speaks Twilio's Messages API."""

from __future__ import annotations

import logging
import time

import pytest

from tests.messaging.fake_twilio import AUTH_TOKEN, FakeTwilio
from verzuim.messaging.actions import queue_sms
from verzuim.messaging.backends.base import DeliveryError
from verzuim.messaging.backends.twilio import TwilioSmsBackend, is_permanent
from verzuim.messaging.delivery import deliver
from verzuim.messaging.models import OutgoingMessage, Status

pytestmark = pytest.mark.django_db

BODY = "Uw code is 424242"


@pytest.fixture
def sms(tenant) -> OutgoingMessage:
    return queue_sms(tenant=tenant, to="+31612345678", body=BODY)


def test_sends_form_fields_with_basic_auth_and_returns_the_sid(twilio: FakeTwilio, sms):
    provider_id = TwilioSmsBackend().send(sms)

    [received] = twilio.received  # the fake checked path, basic auth and content type
    assert (received.to, received.sender, received.body) == ("+31612345678", "Verzuim", BODY)
    assert provider_id == received.sid and provider_id.startswith("SM")


def test_every_try_of_a_message_carries_the_same_idempotency_key(twilio: FakeTwilio, sms, tenant):
    first = TwilioSmsBackend().send(sms)  # say the worker died before recording this
    again = TwilioSmsBackend().send(sms)
    other = TwilioSmsBackend().send(queue_sms(tenant=tenant, to="+31612345678", body=BODY))

    assert again == first != other  # the provider answered the repeat with the first sid
    assert twilio.requests == 3 and twilio.replays == 1
    by_key = twilio.deliveries_by_key()
    assert by_key[f"verzuim-msg-{sms.id}"] == 1 and sorted(by_key.values()) == [1, 1]


def test_delivery_records_the_provider_sid(twilio: FakeTwilio, sms):
    assert deliver(str(sms.id)) == Status.SENT

    sms.refresh_from_db()
    assert sms.provider_id == twilio.received[0].sid
    assert sms.attempts == 1 and sms.sent_at is not None


def test_invalid_number_is_permanent(twilio: FakeTwilio, sms):
    twilio.script = ["invalid_number"]

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert caught.value.permanent
    assert "400" in str(caught.value) and "21211" in str(caught.value)


def test_service_unavailable_is_retried(twilio: FakeTwilio, sms):
    twilio.script = ["unavailable"]

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert not caught.value.permanent and "503" in str(caught.value)


def test_a_reply_slower_than_the_timeout_is_retried(twilio: FakeTwilio, sms):
    twilio.script = ["slow"]
    started = time.monotonic()

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert not caught.value.permanent and "timed out" in str(caught.value)
    assert time.monotonic() - started < 2.5  # TWILIO_TIMEOUT_SECONDS = 1


def test_wrong_credentials_are_retried_as_misconfiguration(settings, twilio: FakeTwilio, sms):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert not caught.value.permanent and "401" in str(caught.value)
    assert twilio.received == []


def test_unreachable_provider_is_retried(settings, sms):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", AUTH_TOKEN
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert not caught.value.permanent


def test_missing_configuration_is_retried_not_sent(settings, sms):
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(DeliveryError) as caught:
        TwilioSmsBackend().send(sms)

    assert not caught.value.permanent and "not configured" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (404, False),
        (401, False),
        (403, False),
        (429, False),
        (422, True),
        (500, False),
        (503, False),
    ],
)
def test_status_classification(status: int, permanent: bool):
    assert is_permanent(status) is permanent


def test_body_and_token_stay_out_of_errors_and_logs(twilio: FakeTwilio, sms, caplog):
    twilio.script = ["invalid_number"]
    caplog.set_level(logging.DEBUG)

    assert deliver(str(sms.id)) == Status.FAILED

    sms.refresh_from_db()
    assert sms.last_error and "21211" in sms.last_error
    for text in (sms.last_error, caplog.text):
        assert BODY not in text and "424242" not in text and AUTH_TOKEN not in text


def test_a_redirect_is_refused_and_the_credentials_go_nowhere_else(settings, sms):
    """A wrong or hijacked API address that redirects must not lead to a second request
    (urllib follows a 302 and keeps the Basic-auth header for the new host)."""
    import http.server
    import threading

    seen: list[str] = []

    class Elsewhere(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    elsewhere = http.server.HTTPServer(("127.0.0.1", 0), Elsewhere)
    target = f"http://127.0.0.1:{elsewhere.server_port}/steal"

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(302)  # urllib follows it as a GET, Authorization included
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    redirecting = http.server.HTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (elsewhere, redirecting):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", AUTH_TOKEN
        settings.TWILIO_API_BASE = f"http://127.0.0.1:{redirecting.server_port}"
        with pytest.raises(DeliveryError):
            TwilioSmsBackend().send(sms)
    finally:
        for server in (elsewhere, redirecting):
            server.shutdown()
            server.server_close()
    assert seen == []
