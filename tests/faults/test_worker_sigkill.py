"""The message worker SIGKILLed in the middle of sending: nothing lost, nothing sent twice.

Twenty SMS are queued in a private PostgreSQL database; a real worker process sends them
through the Twilio backend to a fake provider that honours idempotency keys. The provider
holds one request open and we SIGKILL the worker then:

- ``hold_before``: the provider has the request but has not accepted it (it never will: the
  client is gone). Nothing may be lost.
- ``hold``: the provider accepted (sent) the SMS and holds its reply, so the worker never
  learns of it. The retry carries the same key; nothing may be sent twice.

A second worker takes over; the lease of the message in hand expires and the sweep sends it.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import (
    LEASE_SECONDS,
    Processes,
    base_env,
    db_rows,
    sms_env,
    wait_until,
)
from tests.messaging.fake_twilio import FakeTwilio

N = 20
SENT_BEFORE_KILL = 7

QUEUE = f"""
from django.db import transaction
from tests.factories import TenantFactory
from verzuim.messaging.actions import queue_sms
with transaction.atomic():
    tenant = TenantFactory(slug="demo", host="127.0.0.1")
    for i in range({N}):
        queue_sms(tenant=tenant, to=f"+316200000{{i:02d}}", body=f"Bericht {{i}}", sensitive=True)
"""


def statuses(url: str) -> dict[str, int]:
    rows = db_rows(url, "SELECT status, count(*) FROM messaging_outgoingmessage GROUP BY status")
    return {status: count for status, count in rows}


@pytest.mark.parametrize("moment", ["hold_before", "hold"])
def test_sigkill_mid_send_loses_nothing_and_sends_nothing_twice(
    moment: str, private_db: str, fake_sms: FakeTwilio, processes: Processes, tmp_path
):
    from tests.faults.conftest import run_script

    env = sms_env(base_env(tmp_path, private_db), fake_sms)
    run_script(env, QUEUE)
    ids = [str(i) for (i,) in db_rows(private_db, "SELECT id FROM messaging_outgoingmessage")]
    assert len(ids) == N
    fake_sms.script = ["ok"] * SENT_BEFORE_KILL + [moment]

    processes.worker("first", env)
    assert fake_sms.got_request.wait(timeout=30), "the worker never reached the held request"
    at_kill = statuses(private_db)
    processes.kill("first")  # SIGKILL: no clean-up, no reply read, the lease stays
    fake_sms.release()  # the held reply (or refusal) now goes to a closed socket

    assert at_kill == {"sent": SENT_BEFORE_KILL, "sending": 1, "queued": N - 1 - SENT_BEFORE_KILL}
    [(in_hand,)] = db_rows(
        private_db, "SELECT id FROM messaging_outgoingmessage WHERE status = 'sending'"
    )

    processes.worker("second", env)
    wait_until(
        lambda: statuses(private_db) == {"sent": N}, 30 + LEASE_SECONDS, "every message sent"
    )

    # Exactly once at the provider, per idempotency key and per recipient; none lost.
    assert fake_sms.deliveries_by_key() == {f"verzuim-msg-{i}": 1 for i in ids}
    assert fake_sms.deliveries_per_recipient() == {f"+316200000{i:02d}": 1 for i in range(N)}
    # The message in hand was requested twice; the provider saw N + 1 requests in all.
    assert fake_sms.requests == N + 1
    assert fake_sms.replays == (1 if moment == "hold" else 0)
    [(attempts, provider_id, body)] = db_rows(
        private_db,
        f"SELECT attempts, provider_id, body FROM messaging_outgoingmessage WHERE id = '{in_hand}'",
    )
    [delivered] = [sms for sms in fake_sms.received if sms.key == f"verzuim-msg-{in_hand}"]
    assert provider_id == delivered.sid  # a replay hands back the first sid
    assert body == "[removed after delivery]"
    assert "Delivered sms message" in processes.log("second")
