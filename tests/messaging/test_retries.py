"""Failed deliveries come back with back-off, give up in the end, and never raise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.messaging.fake_twilio import FakeTwilio
from verzuim.messaging.actions import queue_sms
from verzuim.messaging.delivery import deliver, deliver_due, due_message_ids, retry_delay
from verzuim.messaging.models import OutgoingMessage, Status

pytestmark = pytest.mark.django_db

DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "messages"]}
}


@pytest.fixture
def sms(tenant) -> OutgoingMessage:
    return queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242")


def make_due(message: OutgoingMessage) -> None:
    OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(9) == 2560 and retry_delay(10) == retry_delay(30) == 3600


def test_a_failure_requeues_with_back_off(twilio: FakeTwilio, sms):
    twilio.script = ["unavailable"]
    before = timezone.now()

    assert deliver(str(sms.id)) == Status.QUEUED  # the immediate task backend: no raise

    sms.refresh_from_db()
    assert sms.status == Status.QUEUED and sms.attempts == 1 and sms.lease_until is None
    assert before + timedelta(seconds=10) <= sms.next_attempt_at
    assert sms.next_attempt_at <= timezone.now() + timedelta(seconds=10)
    assert "503" in sms.last_error
    assert deliver(str(sms.id)) is None  # not due yet
    assert str(sms.id) not in due_message_ids()


def test_second_failure_waits_longer(twilio: FakeTwilio, sms):
    twilio.script = ["unavailable", "unavailable"]
    deliver(str(sms.id))
    make_due(sms)
    before = timezone.now()

    assert deliver(str(sms.id)) == Status.QUEUED

    sms.refresh_from_db()
    assert sms.attempts == 2
    assert sms.next_attempt_at >= before + timedelta(seconds=retry_delay(2))


def test_gives_up_after_max_attempts(settings, twilio: FakeTwilio, sms):
    settings.MESSAGE_MAX_ATTEMPTS = 3
    twilio.script = ["unavailable"] * 3

    statuses = []
    for _ in range(3):
        statuses.append(deliver(str(sms.id)))
        make_due(sms)

    assert statuses == [Status.QUEUED, Status.QUEUED, Status.FAILED]
    sms.refresh_from_db()
    assert sms.attempts == 3
    assert deliver(str(sms.id)) is None and str(sms.id) not in due_message_ids()
    assert twilio.received == []


def test_permanent_error_fails_at_once(twilio: FakeTwilio, sms):
    twilio.script = ["invalid_number"]

    assert deliver(str(sms.id)) == Status.FAILED

    sms.refresh_from_db()
    assert sms.status == Status.FAILED and sms.attempts == 1


def test_a_due_retry_is_delivered_by_the_sweep(twilio: FakeTwilio, sms):
    twilio.script = ["unavailable"]
    deliver(str(sms.id))
    make_due(sms)

    assert deliver_due() == 1

    sms.refresh_from_db()
    assert sms.status == Status.SENT and sms.attempts == 2 and sms.last_error == ""
    assert len(twilio.received) == 1


def test_with_a_deferring_task_backend_the_retry_is_scheduled(settings, twilio, sms):
    settings.TASKS = DB_TASKS
    twilio.script = ["unavailable"]

    assert deliver(str(sms.id)) == Status.QUEUED

    sms.refresh_from_db()
    [task] = DBTaskResult.objects.filter(queue_name="messages")
    assert task.args_kwargs == {"args": [str(sms.id)], "kwargs": {}}
    assert task.run_after == sms.next_attempt_at


def test_a_message_left_sending_is_picked_up_once_its_lease_expired(twilio: FakeTwilio, sms):
    lease = timezone.now() + timedelta(seconds=30)
    OutgoingMessage.objects.filter(pk=sms.pk).update(status=Status.SENDING, lease_until=lease)
    assert deliver_due() == 0  # still leased by a worker that may be alive

    OutgoingMessage.objects.filter(pk=sms.pk).update(lease_until=timezone.now())

    assert deliver_due() == 1
    sms.refresh_from_db()
    assert sms.status == Status.SENT and len(twilio.received) == 1


def test_a_retry_that_cannot_be_enqueued_does_not_raise(settings, twilio, sms):
    settings.TASKS = {"default": {**DB_TASKS["default"], "QUEUES": ["default"]}}  # no "messages"
    twilio.script = ["unavailable"]

    assert deliver(str(sms.id)) == Status.QUEUED

    assert not DBTaskResult.objects.exists()  # the sweep is what retries it now
