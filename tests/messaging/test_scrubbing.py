"""Sensitive messages keep no readable text once a real provider has them."""

from __future__ import annotations

import pytest

from tests.messaging.fake_twilio import FakeTwilio
from verzuim.messaging.actions import queue_sms
from verzuim.messaging.delivery import SCRUBBED, deliver
from verzuim.messaging.models import OutboxMessage, OutgoingMessage, Status

pytestmark = pytest.mark.django_db

OUTBOX_SMS = "verzuim.messaging.backends.outbox.OutboxSmsBackend"


def test_sensitive_sms_is_scrubbed_after_provider_delivery(twilio: FakeTwilio, tenant):
    sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242", sensitive=True)

    assert deliver(str(sms.id)) == Status.SENT

    sms.refresh_from_db()
    assert sms.body == SCRUBBED
    assert twilio.received[0].body == "Uw code is 424242"


def test_ordinary_sms_keeps_its_text(twilio: FakeTwilio, tenant):
    sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw afspraak is morgen")

    deliver(str(sms.id))

    sms.refresh_from_db()
    assert sms.body == "Uw afspraak is morgen"


def test_the_development_outbox_is_not_a_provider(settings, tenant):
    settings.SMS_BACKEND = OUTBOX_SMS
    sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242", sensitive=True)

    assert deliver(str(sms.id)) == Status.SENT

    assert OutgoingMessage.objects.get(pk=sms.pk).body == "Uw code is 424242"
    assert OutboxMessage.objects.get(message_id=sms.id).body == "Uw code is 424242"


def test_a_failed_attempt_keeps_the_text_for_the_retry(twilio: FakeTwilio, tenant):
    twilio.script = ["unavailable"]
    sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242", sensitive=True)

    assert deliver(str(sms.id)) == Status.QUEUED

    assert OutgoingMessage.objects.get(pk=sms.pk).body == "Uw code is 424242"
