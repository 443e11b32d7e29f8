"""The worker as a real process: killed mid-delivery it loses nothing; stopped, it finishes.

The worker runs as `manage.py run_worker` against its own SQLite file (the test database
of pytest-django lives in this process's memory), and sends SMS through the Twilio backend
to a local fake Twilio that holds the first request open. We SIGKILL the worker while the
provider holds the request, start a new worker, and the expired lease brings the message
back.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.messaging.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
BODY = "Uw code is 424242"
LEASE_SECONDS = 5  # the smallest lease the settings allow

QUEUE_ONE_SMS = f"""
import django
django.setup()
from django.db import transaction
from tests.factories import TenantFactory
from verzuim.messaging.actions import queue_sms
with transaction.atomic():
    queue_sms(tenant=TenantFactory(slug="demo"), to="+31612345678", body={BODY!r})
"""


@pytest.fixture
def worker_env(tmp_path: Path, fake_twilio: FakeTwilio) -> dict[str, str]:
    own_prefixes = ("VERZUIM_", "DJANGO_", "DATABASE_", "REDIS_", "TWILIO_", "EMAIL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own_prefixes)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "verzuim.settings",
            "VERZUIM_ENVIRONMENT": "development",
            "VERZUIM_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            "VERZUIM_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "VERZUIM_SMS_BACKEND": "verzuim.messaging.backends.twilio.TwilioSmsBackend",
            "TWILIO_API_BASE": fake_twilio.url,
            "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
            "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
            "TWILIO_TIMEOUT_SECONDS": str(LEASE_SECONDS - 1),  # the lease outlasts it
            "EMAIL_TIMEOUT": str(LEASE_SECONDS - 1),
            "VERZUIM_MESSAGE_LEASE_SECONDS": str(LEASE_SECONDS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    return env


def message_row(env: dict[str, str]) -> tuple[str, int, str]:
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        [row] = db.execute("SELECT status, attempts, provider_id FROM messaging_outgoingmessage")
    return row


def queue_one_sms(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", QUEUE_ONE_SMS], cwd=ROOT, env=env, check=True, timeout=30)


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_no_message_lost_when_the_worker_is_killed(
    fake_twilio: FakeTwilio, worker_env: dict[str, str], start_worker, tmp_path: Path
):
    fake_twilio.script = ["hold"]
    queue_one_sms(worker_env)

    first = start_worker("first")
    assert fake_twilio.got_request.wait(timeout=10), "the worker never called the provider"
    assert message_row(worker_env)[0] == "sending"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    fake_twilio.release()  # the held reply now goes nowhere

    second = start_worker("second")
    deadline = time.monotonic() + 15
    while message_row(worker_env)[0] != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    status, attempts, provider_id = message_row(worker_env)
    recovered_after = time.monotonic() - killed_at

    assert status == "sent" and attempts == 1
    # At least once: the provider got the first request too and sent that SMS. The retry
    # carries the same idempotency key, so a provider that honours it (the fake does; see
    # backends/twilio.py for which real ones do) answers with the first sid and sends nothing.
    assert fake_twilio.requests == 2 and fake_twilio.replays == 1
    [sms] = fake_twilio.received
    assert sms.body == BODY and sms.key.startswith("verzuim-msg-")
    assert provider_id == sms.sid
    assert recovered_after < LEASE_SECONDS + 5  # picked up soon after the lease expired

    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0  # graceful stop

    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Delivered sms message" in logs and "stopping after the current message" in logs
    assert BODY not in logs and "424242" not in logs and fake_twilio.auth_token not in logs


def test_sigterm_stops_after_the_current_message(
    fake_twilio: FakeTwilio, worker_env: dict[str, str], start_worker
):
    fake_twilio.script = ["hold"]
    queue_one_sms(worker_env)
    worker = start_worker("worker")
    assert fake_twilio.got_request.wait(timeout=10), "the worker never called the provider"

    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert worker.poll() is None, "the worker left in the middle of a delivery"
    fake_twilio.release()

    assert worker.wait(timeout=10) == 0
    status, attempts, provider_id = message_row(worker_env)
    assert (status, attempts) == ("sent", 1)
    assert [sms.sid for sms in fake_twilio.received] == [provider_id]
