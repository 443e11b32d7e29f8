"""A slow or failing SMS provider does not slow the login pages down: the web process only
queues the SMS (database task queue), the worker process talks to the provider.

Real parts: gunicorn, the message worker and a private PostgreSQL database; the fake
provider can hold a request until released, answer slowly, or fail.
"""

from __future__ import annotations

import time

from tests.faults.conftest import (
    Client,
    Processes,
    base_env,
    create_user,
    db_rows,
    free_port,
    sms_code,
    sms_env,
    wait_until,
)
from tests.messaging.fake_twilio import FakeTwilio

PHONE = "+31612345678"
DUTCH_NOTICE = "SMS nog niet verzonden, probeer opnieuw of gebruik een back-up code"
MESSAGE_ROW = "SELECT status, attempts, created_at, sent_at FROM messaging_outgoingmessage"


def start_portal(
    tmp_path, private_db: str, fake: FakeTwilio, processes: Processes, **user: bool
) -> str:
    env = sms_env(base_env(tmp_path, private_db), fake)
    create_user(env, phone=PHONE, **user)
    processes.worker("worker", env)
    return processes.gunicorn("web", env, free_port())


def finish_login(client: Client, fake: FakeTwilio) -> None:
    page = client.post_form("/accounts/verify/sms/", {"code": sms_code(fake, PHONE)})
    assert (page.status, page.location) == (302, "/"), page.text[:300]


def test_code_page_answers_while_the_provider_holds_the_sms(
    private_db: str, fake_sms: FakeTwilio, processes: Processes, tmp_path
):
    base = start_portal(tmp_path, private_db, fake_sms, processes)
    fake_sms.script = ["hold"]
    client = Client(base)

    password = client.password_step()
    assert password.location == "/accounts/verify/sms/"
    assert fake_sms.got_request.wait(timeout=30), "the worker never called the provider"
    page = client.get("/accounts/verify/sms/")  # the provider still holds the SMS request

    assert not fake_sms.released  # deterministic: the page came before the provider answered
    assert page.status == 200 and 'name="code"' in page.text
    fake_sms.release()
    finish_login(client, fake_sms)

    # The provider taking 2 s per SMS: measured, not asserted (a loaded machine varies).
    fake_sms.slow_seconds = 2.0
    fake_sms.script = ["slow"]
    fake_sms._released.clear()
    fake_sms.received.clear()
    client = Client(base)
    password = client.password_step()
    page = client.get("/accounts/verify/sms/")
    finish_login(client, fake_sms)
    print(
        f"provider 2 s/SMS: password step {password.seconds * 1000:.0f} ms, "
        f"code page {page.seconds * 1000:.0f} ms"
    )


def test_failing_provider_is_reported_and_retried_with_back_off_once(
    private_db: str, fake_sms: FakeTwilio, processes: Processes, tmp_path
):
    base = start_portal(tmp_path, private_db, fake_sms, processes, backup_codes=True)
    fake_sms.script = ["unavailable"]  # one 503, then the provider works again
    client = Client(base)
    client.password_step()

    wait_until(lambda: db_rows(private_db, MESSAGE_ROW)[0][1] == 1, 30, "the failed first try")
    page = client.get("/accounts/verify/sms/")
    assert page.status == 200
    assert DUTCH_NOTICE in page.text  # the interface speaks Dutch by default
    notice = page.text.split('id="sms-not-sent"', 1)[1].split("</div>", 1)[0]
    assert "/accounts/verify/backup-code/" in notice  # the backup-code way out, right there
    assert "SMS opnieuw versturen" in notice or "nieuwe sms" in notice.lower()  # resend

    # The retry comes after the back-off (retry_delay(1) = 10 s), through the same worker.
    wait_until(lambda: db_rows(private_db, MESSAGE_ROW)[0][0] == "sent", 40, "the retry")
    [(status, attempts, created_at, sent_at)] = db_rows(private_db, MESSAGE_ROW)
    assert attempts == 2 and (sent_at - created_at).total_seconds() >= 10
    assert fake_sms.requests == 2 and len(fake_sms.received) == 1  # exactly one delivery
    assert DUTCH_NOTICE not in client.get("/accounts/verify/sms/").text
    started = time.monotonic()
    finish_login(client, fake_sms)
    assert time.monotonic() - started < 30
