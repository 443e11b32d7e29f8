"""Locust scenarios, run headless by ``python -m bench`` (127.0.0.1 only).

BENCH_SCENARIO picks the scenario; BENCH_DATA names a JSON file with the users (login
name + TOTP secret), the password and the case ids. Every request goes to the gunicorn
under test with ``X-Forwarded-Proto: https`` and a matching ``Origin``, as a browser behind
the production TLS load balancer would.

* ``login``: each loop is one complete login of a fresh browser (no cookies): GET the login
  page, POST name + password, GET the authenticator-app page, POST the code (computed with
  pyotp), GET the landing page. A user logs in at most once per 30-second TOTP step (codes
  are single-use), so the users are taken round-robin from a large pool.
* ``pages``: each locust user logs in once (TOTP), then requests one of the dashboard,
  the action list, a case page (random open case) and the employee list at random, with
  BENCH_WAIT seconds of think time.
* ``sms``: the password step of SMS users (which queues an SMS) and the code page after it.
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import time
from typing import Any

import pyotp
from locust import FastHttpUser, between, constant, events, task

DATA: dict[str, Any] = json.loads(open(os.environ["BENCH_DATA"]).read())  # noqa: SIM115
SCENARIO = os.environ.get("BENCH_SCENARIO", "login")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEP = 30
POOL: collections.deque[dict[str, Any]] = collections.deque(
    {**u, "last_step": 0} for u in DATA["users"]
)
# A later run in the same TOTP step starts further on in the pool (BENCH_POOL_OFFSET).
POOL.rotate(-int(os.environ.get("BENCH_POOL_OFFSET", "0")))
CLIENTS = 0
LOGGED_IN = 0


def _wait_time() -> Any:
    low, _, high = os.environ.get("BENCH_WAIT", "0").partition(",")
    return between(float(low), float(high)) if high else constant(float(low))


def next_user() -> dict[str, Any]:
    """A user who has not used the current TOTP step yet (waits when the pool is exhausted)."""
    deadline = time.monotonic() + 2 * STEP
    while time.monotonic() < deadline:
        step = int(time.time()) // STEP
        for _ in range(len(POOL)):
            user = POOL[0]
            POOL.rotate(-1)
            if user["last_step"] < step:
                user["last_step"] = step
                return user
        time.sleep(0.5)
    raise RuntimeError("user pool exhausted: make it larger")


class Portal(FastHttpUser):
    wait_time = _wait_time()
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        global CLIENTS, LOGGED_IN
        CLIENTS += 1
        # Each simulated browser has its own address (TEST-NET-2), set by the load balancer
        # in X-Forwarded-For (VERZUIM_TRUSTED_PROXY_HEADER), as on a real deployment.
        self.extra = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"198.51.100.{CLIENTS % 250 + 1}",
            "Origin": f"https://{self.host.split('://', 1)[1]}",
        }
        if SCENARIO == "pages":
            self.cases = list(DATA["case_ids"])
            self.login(next_user(), prefix="login ")
            LOGGED_IN += 1
            if LOGGED_IN == self.environment.parsed_options.num_users:
                # Page timings start when every user is in: no password hashing alongside.
                self.environment.stats.reset_all()

    # --- helpers ---------------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        """The proxy headers and the browser's cookies. The cookie jar keeps what the server
        sets, but (with geventhttpclient 2.6) does not send it back, so we do."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
        return {**self.extra, "Cookie": cookies} if cookies else self.extra

    def get(self, path: str, name: str, expect: int = 200) -> str:
        with self.client.get(
            path, name=name, headers=self.headers(), allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} (expected {expect})")
                raise _Abort()
            return response.text or ""

    def post(self, path: str, data: dict[str, str], name: str, expect_to: str) -> str:
        with self.client.post(
            path,
            data=data,
            name=name,
            headers=self.headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.startswith(expect_to):
                response.failure(f"{response.status_code} to {location!r} (expected {expect_to})")
                raise _Abort()
            return location

    def login(self, user: dict[str, Any], prefix: str = "") -> None:
        self.client.cookiejar.clear()
        page = self.get("/accounts/login/", f"{prefix}1 GET login page")
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        step_url = self.post(
            "/accounts/login/",
            {
                "username": user["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": token,
            },
            f"{prefix}2 POST password",
            "/accounts/verify/app/",
        )
        page = self.get(step_url, f"{prefix}3 GET app-code page")
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        code = pyotp.TOTP(user["secret"]).at(user["last_step"] * STEP)
        landing = self.post(
            step_url,
            {"code": code, "csrfmiddlewaretoken": token},
            f"{prefix}4 POST app code",
            "/",
        )
        self.get(landing, f"{prefix}5 GET landing page")

    # --- scenarios -------------------------------------------------------------------
    @task
    def loop(self) -> None:
        try:
            getattr(self, f"scenario_{SCENARIO}")()
        except _Abort:
            pass

    def scenario_login(self) -> None:
        started = time.perf_counter()
        self.login(next_user())
        events.request.fire(
            request_type="FLOW",
            name="complete login (5 requests)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None,
            context={},
        )

    def scenario_pages(self) -> None:
        page = random.choice(("dashboard", "worklist", "case", "employees"))
        if page == "dashboard":
            self.get("/verzuim/dashboard/", "dashboard /verzuim/dashboard/")
        elif page == "worklist":
            self.get("/verzuim/actiemonitor/", "action list /verzuim/actiemonitor/")
        elif page == "case":
            self.get(
                f"/verzuim/trajecten/{random.choice(self.cases)}/",
                "case page /verzuim/trajecten/<id>/",
            )
        else:
            self.get("/verzuim/medewerkers/", "employee list /verzuim/medewerkers/")

    def scenario_sms(self) -> None:
        user = POOL.popleft()  # each SMS user once: the SMS caps per user stay far away
        self.client.cookiejar.clear()
        page = self.get("/accounts/login/", "sms: GET login page")
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        step_url = self.post(
            "/accounts/login/",
            {
                "username": user["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": token,
            },
            "sms: POST password (queues the SMS)",
            "/accounts/verify/sms/",
        )
        self.get(step_url, "sms: GET code page")


class _Abort(Exception):
    """A step failed (already recorded as a failure); start the next loop."""
