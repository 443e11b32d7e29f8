"""`manage.py run_worker --once` in this process: the task queue, then the sweep."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.messaging.fake_twilio import FakeTwilio
from verzuim.messaging.actions import queue_sms
from verzuim.messaging.models import OutgoingMessage, Status
from verzuim.messaging.worker import MessageWorker

# The django_tasks_db worker manages its own transactions and connections.
pytestmark = pytest.mark.django_db(transaction=True)

QUEUES = ["default", "messages"]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}}


def test_once_runs_the_queued_delivery_task(settings, twilio: FakeTwilio, tenant):
    settings.TASKS = DB_TASKS
    with transaction.atomic():
        sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242")
    [task] = DBTaskResult.objects.all()
    assert task.status == TaskResultStatus.READY

    call_command("run_worker", "--once")

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "sent"
    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.SENT
    assert [r.body for r in twilio.received] == ["Uw code is 424242"]


def test_once_sweeps_a_message_whose_task_was_lost(settings, twilio: FakeTwilio, tenant):
    settings.TASKS = NO_TASKS  # enqueued nowhere: only the row exists
    with transaction.atomic():
        sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242")
    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.QUEUED

    call_command("run_worker", "--once")

    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.SENT
    assert len(twilio.received) == 1


def test_a_stopped_worker_sends_nothing_more(settings, twilio: FakeTwilio, tenant):
    settings.TASKS = NO_TASKS
    with transaction.atomic():
        sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242")
    worker = MessageWorker(interval=0.1)
    worker.request_stop()

    worker.run_forever()  # returns at once

    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.QUEUED
    assert twilio.received == []


def test_interval_must_be_positive():
    with pytest.raises(CommandError):
        call_command("run_worker", "--interval", "0")


def test_a_failing_enqueue_loses_nothing(settings, twilio: FakeTwilio, tenant):
    settings.TASKS = {"default": {**DB_TASKS["default"], "QUEUES": ["default"]}}  # no "messages"
    with transaction.atomic():
        sms = queue_sms(tenant=tenant, to="+31612345678", body="Uw code is 424242")
    # The caller's action committed and did not see the enqueue error.
    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.QUEUED
    assert not DBTaskResult.objects.exists()

    call_command("run_worker", "--once")

    assert OutgoingMessage.objects.get(pk=sms.pk).status == Status.SENT
