"""PostgreSQL stopped and started again under load: error pages with a reference code while
it is away, and the same app processes serve again by themselves once it is back.

The portal runs under gunicorn (two workers) with the message worker beside it, against a
private PostgreSQL cluster that this test may stop. A load thread keeps requesting the login
page, /healthz and a page behind the login (with a logged-in session) the whole time.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from tests.faults.conftest import (
    Client,
    PrivatePostgres,
    Processes,
    base_env,
    create_user,
    free_port,
    sms_code,
    sms_env,
    wait_until,
)
from tests.messaging.fake_twilio import FakeTwilio

REFERENCE = re.compile(r'class="reference-code">([0-9A-Z]{4}-[0-9A-Z]{4})<')
DUTCH_ERROR = "Er ging bij ons iets mis"
PATHS = ("/accounts/login/", "/healthz", "/")
BOUND_SECONDS = 5.0  # no request may take longer than this, outage or not


@dataclass(frozen=True)
class Sample:
    started: float
    path: str
    status: int
    seconds: float
    text: str


class Load:
    """Requests the three pages in turn until stopped; keeps every answer."""

    def __init__(self, base: str, logged_in: Client) -> None:
        self.anonymous = Client(base, timeout=BOUND_SECONDS * 2)
        self.logged_in = logged_in
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in PATHS:
                client = self.logged_in if path == "/" else self.anonymous
                started = time.monotonic()
                try:
                    page = client.get(path)
                except OSError as exc:  # a hang (timeout) or a dropped connection
                    self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                self.samples.append(Sample(started, path, page.status, page.seconds, page.text))
            time.sleep(0.02)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=BOUND_SECONDS * 3)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in list(self.samples) if start <= s.started and s.started + s.seconds < end]


def log_in(base: str, fake: FakeTwilio, phone: str) -> Client:
    client = Client(base)
    assert client.password_step().location == "/accounts/verify/sms/"
    page = client.post_form("/accounts/verify/sms/", {"code": sms_code(fake, phone)})
    assert page.status == 302, page.text[:300]
    assert client.get("/").status == 200
    return client


def test_postgres_restart_under_load(
    private_postgres: PrivatePostgres,
    private_db: str,
    fake_sms: FakeTwilio,
    processes: Processes,
    tmp_path,
):
    env = sms_env(base_env(tmp_path, private_db), fake_sms)
    create_user(env, phone="+31612345678")
    processes.worker("worker", env)
    base = processes.gunicorn("web", env, free_port())
    client = log_in(base, fake_sms, "+31612345678")
    web, worker = processes.started["web"], processes.started["worker"]

    with Load(base, client) as load:
        wait_until(lambda: len(load.samples) >= 6, 30, "load before the outage")
        private_postgres.stop("fast")  # ends every connection of the app
        down_at = time.monotonic()
        time.sleep(3)
        restart_at = time.monotonic()
        private_postgres.start()
        up_at = time.monotonic()

        def all_fine_again() -> bool:
            recent = load.between(time.monotonic() - 1.5, time.monotonic())
            return {s.path for s in recent if s.status == 200} == set(PATHS) and all(
                s.status == 200 for s in recent
            )

        wait_until(all_fine_again, 20, "the portal to serve again")
        recovered_after = time.monotonic() - up_at

    outage = load.between(down_at, restart_at)
    assert load.errors == [], load.errors[:3]  # every request got an answer
    assert {s.path for s in outage} == set(PATHS), "the load did not cover the outage"
    # A page behind the login needs the session from the database: always an error page.
    assert {s.status for s in outage if s.path == "/"} == {500}
    for sample in outage:
        assert sample.seconds < BOUND_SECONDS, (sample.path, sample.seconds)
        assert "Traceback" not in sample.text and "OperationalError" not in sample.text
        if sample.path == "/healthz":
            assert sample.status == 503 and '"database": "down"' in sample.text
            continue
        if sample.status == 200 and sample.path == "/accounts/login/":
            # The tenant comes from the cache and an anonymous visitor has no session: the
            # login form itself can still be shown (sending it would give an error page).
            assert 'name="password"' in sample.text
            continue
        assert sample.status == 500, (sample.path, sample.status, sample.text[:300])
        assert REFERENCE.search(sample.text), sample.text[:500]
        assert DUTCH_ERROR in sample.text and "Referentiecode" in sample.text
    # Each error page has its own reference code, and the log has it for support.
    references = {REFERENCE.search(s.text).group(1) for s in outage if s.status == 500}  # type: ignore[union-attr]
    assert len(references) == len([s for s in outage if s.status == 500])
    assert any(ref in processes.log("web") for ref in references)

    # The same processes recovered by themselves: nothing was restarted.
    assert web.poll() is None and worker.poll() is None
    assert recovered_after < 10, recovered_after
    # The worker recovered too: a new login gets its SMS and completes.
    fake_sms.received.clear()
    log_in(base, fake_sms, "+31612345678")
    first_ok = min(
        s.started + s.seconds
        for s in load.samples
        if s.started > restart_at and s.status == 200 and s.path == "/"
    )
    print(
        f"outage samples {len(outage)}, slowest {max(s.seconds for s in outage):.3f} s; "
        f"logged-in page 200 again {first_ok - up_at:+.2f} s after pg_ctl start returned"
    )
