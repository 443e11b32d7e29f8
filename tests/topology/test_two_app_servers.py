"""Two gunicorn app servers on two ports share one PostgreSQL database (and Redis): every
piece of login state must hold across them, as behind a load balancer.

One browser (one cookie jar) sends each request to the server the test picks. The servers
run production settings with VERZUIM_LOCAL_ONLY (plain HTTP on loopback, messages in the
outbox), the tenant is found by the Host header, and forms carry their CSRF tokens.

PostgreSQL lane only: skipped on SQLite (the CI's SQLite lane) unless
VERZUIM_REQUIRE_POSTGRES is set, which makes an unreachable PostgreSQL a failure.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from tests.topology.helpers import (
    AppServer,
    Browser,
    local_only_env,
    manage,
    reachable,
    start_app_server,
    stop_app_server,
    temporary_database,
)
from verzuim.accounts.throttle_rules import ACCOUNT_POLICY, wait_after
from verzuim.tenants.models import Tenant

HOST = "portal.localhost"
PASSWORD = "Topology-test-2026!"
USERS = ("alice.login", "bob.throttle", "carol.block")
BLOCK_THRESHOLD = Tenant._meta.get_field("second_step_block_threshold").default

SETUP = """
import json, os
from django.utils import timezone
from verzuim.accounts.models import User
from verzuim.mfa.totp.models import TotpDevice
from verzuim.tenants.models import Tenant

spec = json.loads(os.environ["TOPOLOGY_SETUP"])
tenant = Tenant.objects.create(
    slug="topology", name="Topologie Arbodienst", host=spec["host"],
    support_email="support@topologie.example", sms_sender="Topologie",
)
now = timezone.now()
for number, (username, secret) in enumerate(spec["users"].items()):
    user = User(
        tenant=tenant, username=username, first_name=username.split(".")[0].title(),
        last_name="Test", email=f"{username}@werkgever.example", phone=f"+3161000010{number}",
        roles=["employer_hr"], activated_at=now, phone_verified_at=now, preferred_method="totp",
    )
    user.set_password(spec["password"])
    user.save()
    TotpDevice.objects.create(user=user, name="App", secret=secret, confirmed_at=now)
print("set-up done")
"""


def _postgres_server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    required = bool(os.environ.get("VERZUIM_REQUIRE_POSTGRES"))
    if not url.startswith(("postgres://", "postgresql://")):
        if required:
            pytest.fail("VERZUIM_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("two app servers need PostgreSQL: run with DATABASE_URL=postgres://...")
    parts = urllib.parse.urlsplit(url)
    if not reachable(parts.hostname or "127.0.0.1", parts.port or 5432):
        if required:
            pytest.fail(f"PostgreSQL at {parts.hostname}:{parts.port} is not reachable")
        pytest.skip(f"PostgreSQL at {parts.hostname}:{parts.port} is not reachable")
    return url


def _redis_url() -> str:
    """The run's Redis (CI sets REDIS_URL), else a local one when it answers, else none."""
    url = os.environ.get("REDIS_URL", "")
    if url:
        return url
    return "redis://127.0.0.1:6379/0" if reachable("127.0.0.1", 6379) else ""


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[dict]:
    server_url = _postgres_server_url()
    work = tmp_path_factory.mktemp("topology")
    secrets = {name: pyotp.random_base32(32) for name in USERS}
    with temporary_database(server_url) as database_url:
        env = local_only_env(database_url, work, REDIS_URL=_redis_url())
        for command in (["migrate", "--no-input", "-v0"],
                        ["collectstatic", "--no-input", "-v0"]):
            result = manage(env, *command)
            assert result.returncode == 0, result.stdout + result.stderr
        spec = {"host": HOST, "password": PASSWORD, "users": secrets}
        result = manage({**env, "TOPOLOGY_SETUP": json.dumps(spec)}, "shell", "-c", SETUP)
        assert "set-up done" in result.stdout, result.stdout + result.stderr
        servers: list[AppServer] = []
        try:
            servers.append(start_app_server("a", env, work))
            servers.append(start_app_server("b", env, work))
            yield {"a": servers[0], "b": servers[1], "secrets": secrets}
        finally:
            for server in servers:
                stop_app_server(server)


@pytest.fixture
def a(topology) -> AppServer:
    return topology["a"]


@pytest.fixture
def b(topology) -> AppServer:
    return topology["b"]


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """A six-digit code that no step in the accepted window (now ± 1) produces."""
    totp, now = pyotp.TOTP(secret), datetime.now(UTC)
    taken = {totp.at(now, counter_offset=offset) for offset in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(123456, 1_000_000, 7919) if f"{n:06d}" not in taken)


def password_step(browser: Browser, form_from: AppServer, post_to: AppServer, username: str,
                  password: str = PASSWORD):
    return browser.form_post(form_from, post_to, "/accounts/login/",
                             {"username": username, "password": password})


def test_password_on_one_server_and_code_on_the_other_logs_in_on_both(a, b, topology):
    browser = Browser(HOST)

    response = password_step(browser, a, a, "alice.login")
    assert response.status == 302 and response.location == "/accounts/verify/app/"

    response = browser.form_post(b, b, "/accounts/verify/app/",
                                 {"code": totp_now(topology["secrets"]["alice.login"])})
    assert response.status == 302 and response.location == "/"

    for server in (b, a):
        home = browser.get(server, "/")
        assert home.status == 200, (server.name, home.status, home.location)
        assert "Alice" in home.text and 'action="/accounts/logout/"' in home.text

    # Logging out on A ends the session for every server: the old cookie no longer works
    # on B either (not merely forgotten by the browser).
    old_session = browser.cookie("verzuim_session")
    assert old_session
    logout = browser.post(a, "/accounts/logout/",
                          {"csrfmiddlewaretoken": browser.get(a, "/").csrf_token()})
    assert logout.status == 302 and logout.location == "/accounts/login/"
    replay = browser.get(b, "/", cookies={"verzuim_session": old_session})
    assert replay.status == 302 and replay.location.startswith("/accounts/login/")


def test_failed_passwords_on_both_servers_count_towards_one_limit(a, b):
    browser = Browser(HOST)
    free = ACCOUNT_POLICY.free_failures  # failures that cost no wait (throttle_rules)
    servers = [a, b]

    def wait_shown(response) -> int:
        assert response.status == 429, (response.status, response.location)
        message = re.search(r"Too many failed attempts\. For your security you can try again "
                            r"in (\d+) seconds", response.text)
        assert message, response.text[:2000]
        return int(message.group(1))

    # Failures alternately on A and B: the first ones are plain failures...
    for attempt in range(1, free):
        server = servers[attempt % 2]
        response = password_step(browser, server, server, "bob.throttle", "wrong-password")
        assert response.status == 200, (attempt, response.status)
        assert "The login name or password is incorrect." in response.text

    # ...the failure that reaches the limit, on the next server, starts the wait...
    response = password_step(browser, servers[free % 2], servers[free % 2], "bob.throttle",
                             "wrong-password")
    assert wait_shown(response) == wait_after(free, ACCOUNT_POLICY)

    # ...and the other server refuses during that wait, even the right password: the same
    # limit as on one server.
    other = servers[(free + 1) % 2]
    response = password_step(browser, other, other, "bob.throttle")
    assert 0 < wait_shown(response) <= wait_after(free, ACCOUNT_POLICY)


def test_wrong_codes_on_both_servers_block_the_account_at_the_threshold(a, b, topology):
    browser = Browser(HOST)
    secret = topology["secrets"]["carol.block"]
    servers = [a, b]

    response = password_step(browser, b, a, "carol.block")
    assert response.status == 302 and response.location == "/accounts/verify/app/"
    for attempt in range(1, BLOCK_THRESHOLD):
        server = servers[attempt % 2]
        response = browser.form_post(server, server, "/accounts/verify/app/",
                                     {"code": wrong_code(secret)})
        assert response.status == 200, (attempt, response.status, response.location)
        assert "This code is incorrect." in response.text

    server = servers[BLOCK_THRESHOLD % 2]
    response = browser.form_post(server, server, "/accounts/verify/app/",
                                 {"code": wrong_code(secret)})
    assert response.status == 403
    assert "Your account is blocked" in response.text

    # Blocked everywhere: the right password and a right code on the other server won't do.
    other = servers[(BLOCK_THRESHOLD + 1) % 2]
    again = Browser(HOST)
    response = password_step(again, other, other, "carol.block")
    assert response.status == 403 and "Your account is blocked" in response.text


def test_the_access_log_holds_no_query_strings_or_link_tokens(a, b):
    browser = Browser(HOST)
    browser.get(a, "/activate/MQ/c0ffee-token-for-the-access-log/")
    browser.get(b, "/accounts/login/?next=/verzuim/private-query-value/")
    browser.get(a, "/recover/password/MQ/another-reset-token/")

    logs = Path(a.log_path).read_text() + Path(b.log_path).read_text()
    assert '"GET /activate/[redacted]/ HTTP/1.1"' in logs
    assert '"GET /accounts/login/ HTTP/1.1"' in logs
    for secret in ("c0ffee-token", "private-query-value", "another-reset-token", PASSWORD):
        assert secret not in logs
