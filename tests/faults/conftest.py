"""Real parts for the fault tests: a private PostgreSQL cluster, the portal under gunicorn,
the message worker as a process, a fake SMS provider, and a small cookie-keeping client.

The private cluster (initdb into a temporary directory, its own port and socket directory)
may be stopped and started by a test without disturbing anything else on this machine. It
is created once per test session; every test gets its own database, copied from a migrated
template, and dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from tests.messaging.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "Verzuim-fouten-2026"  # noqa: S105 - a test password
LEASE_SECONDS = 5  # the smallest lease the settings allow
OWN_ENV_PREFIXES = ("VERZUIM_", "DJANGO_", "DATABASE_", "REDIS_", "TWILIO_", "EMAIL_")


def unavailable(reason: str) -> None:
    """Skip, or fail when the run promised PostgreSQL (``VERZUIM_REQUIRE_POSTGRES=1``)."""
    if os.environ.get("VERZUIM_REQUIRE_POSTGRES"):
        pytest.fail(f"VERZUIM_REQUIRE_POSTGRES is set but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, what: str, pause: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(pause)


# --- a private PostgreSQL cluster ---------------------------------------------------------


def find_pg_bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(re.sub(r"\D", "", p.split("/")[4]) or 0),
    )
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """One throw-away cluster: trust auth, 127.0.0.1 on a free port, sockets in its folder."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="verzuim-faults-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "run"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)

    def _run(self, *argv: str, timeout: float = 60) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command, check=True, timeout=timeout, stdout=subprocess.DEVNULL, cwd=self.root
        )

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )
        self.sockets.mkdir(exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.sockets, "postgres", "postgres")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "30", "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str) -> str:
        # connect_timeout: a request fails fast instead of hanging when the server is away.
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}?connect_timeout=3"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database,
            autocommit=True, connect_timeout=5,
        ) as conn:
            cursor = conn.execute(sql)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def destroy(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def base_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_ENV_PREFIXES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "verzuim.settings",
            # Development settings with DEBUG off: the same error pages and middleware as
            # production, plain HTTP cookies on 127.0.0.1, no collectstatic needed.
            "VERZUIM_ENVIRONMENT": "development",
            "VERZUIM_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "VERZUIM_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "VERZUIM_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "no_proxy": "127.0.0.1",
        }
    )
    return env


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    bindir = find_pg_bindir()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    assert bindir is not None
    cluster = PrivatePostgres(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.execute("CREATE DATABASE verzuim_template")
        env = base_env(cluster.root, cluster.url("verzuim_template"))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT, env=env, check=True, timeout=180,
        )
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def private_db(private_postgres: PrivatePostgres) -> Iterator[str]:
    """A migrated database of our own in the private cluster; returns its URL."""
    name = f"verzuim_{uuid.uuid4().hex[:10]}"
    private_postgres.execute(f"CREATE DATABASE {name} TEMPLATE verzuim_template")
    yield private_postgres.url(name)
    if not private_postgres.running():  # a test that stopped the server failed half-way
        private_postgres.start()
    private_postgres.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def db_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    conninfo = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


# --- processes -----------------------------------------------------------------------------


@dataclass
class Processes:
    logs: Path
    started: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: gunicorn and its workers
            )
        self.started[name] = process
        return process

    def worker(self, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "manage.py", "run_worker", "--interval", "0.2"]
        return self.start(name, argv, env)

    def gunicorn(self, name: str, env: dict[str, str], port: int, workers: int = 2) -> str:
        gunicorn = BIN / "gunicorn"
        if not gunicorn.exists():
            pytest.skip("gunicorn is not installed in the virtualenv")
        argv = [
            str(gunicorn), "verzuim.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--timeout", "30", "--graceful-timeout", "5",
        ]
        self.start(name, argv, env)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{base}/healthz"), 30, f"{name} to answer")
        return base

    def kill(self, name: str) -> None:
        process = self.started[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def kill_all(self) -> None:
        for name, process in self.started.items():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck process
                print(f"could not reap {name} ({process.pid})")


def _answers(url: str) -> bool:
    try:
        with _opener().open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    group = Processes(tmp_path)
    try:
        yield group
    finally:
        group.kill_all()


def run_script(env: dict[str, str], code: str) -> str:
    """Run Django code against the test's database in a fresh interpreter; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
        cwd=ROOT, env=env, check=True, timeout=60, capture_output=True, text=True,
    )
    return result.stdout


@pytest.fixture
def fake_sms(monkeypatch) -> Iterator[FakeTwilio]:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = FakeTwilio().start()
    try:
        yield server
    finally:
        server.stop()


def sms_env(env: dict[str, str], fake: FakeTwilio) -> dict[str, str]:
    """Send SMS through the real Twilio backend to the fake provider."""
    return {
        **env,
        "VERZUIM_SMS_BACKEND": "verzuim.messaging.backends.twilio.TwilioSmsBackend",
        "TWILIO_API_BASE": fake.url,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_TIMEOUT_SECONDS": str(LEASE_SECONDS - 1),  # the lease outlasts it
        "EMAIL_TIMEOUT": str(LEASE_SECONDS - 1),
        "VERZUIM_MESSAGE_LEASE_SECONDS": str(LEASE_SECONDS),
    }


CREATE_USER = """
from tests.factories import TenantFactory, UserFactory
tenant = TenantFactory(slug="demo", host="127.0.0.1", name="Arbodienst Fouten")
user = UserFactory(tenant=tenant, username={username!r}, phone={phone!r}, password={password!r})
if {backup_codes!r}:
    from verzuim.mfa.backup_codes.actions import generate_backup_codes
    generate_backup_codes(user)
print(user.pk)
"""


def create_user(
    env: dict[str, str],
    username: str = "hanna.hr",
    phone: str = "+31612345678",
    backup_codes: bool = False,
) -> str:
    code = CREATE_USER.format(
        username=username, phone=phone, password=PASSWORD, backup_codes=backup_codes
    )
    return run_script(env, code)


# --- a small browser-like client -------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(jar: CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [urllib.request.ProxyHandler({}), _NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, f"no form on the page ({self.status})"
        return match.group(1)


class Client:
    def __init__(self, base: str, timeout: float = 15) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = CookieJar()
        self.opener = _opener(self.jar)

    def request(self, path: str, data: dict[str, str] | None = None) -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        if body is not None:
            request.add_header("Referer", self.base + path)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            status, headers, raw = exc.code, exc.headers, exc.read()
        return Page(
            status,
            {k.lower(): v for k, v in headers.items()},
            raw.decode("utf-8", "replace"),
            time.monotonic() - started,
        )

    def get(self, path: str) -> Page:
        return self.request(path)

    def post_form(self, path: str, fields: dict[str, str], form_page: Page | None = None) -> Page:
        page = form_page or self.get(path)
        return self.request(path, {"csrfmiddlewaretoken": page.csrf(), **fields})

    def password_step(self, username: str = "hanna.hr") -> Page:
        page = self.post_form("/accounts/login/", {"username": username, "password": PASSWORD})
        assert page.status == 302, (page.status, page.text[:500])
        return page


def sms_code(fake: FakeTwilio, to: str, timeout: float = 30) -> str:
    def code() -> str | None:
        for sms in reversed(fake.received):
            if sms.to == to:
                match = re.search(r"\b(\d{6})\b", sms.body)
                return match.group(1) if match else None
        return None

    return str(wait_until(code, timeout, f"an SMS to {to}"))


@pytest.fixture
def twilio(settings, fake_sms: FakeTwilio) -> FakeTwilio:
    """In-process tests: SMS goes to the real Twilio backend, talking to the fake provider."""
    settings.SMS_BACKEND = "verzuim.messaging.backends.twilio.TwilioSmsBackend"
    settings.TWILIO_API_BASE = fake_sms.url
    settings.TWILIO_ACCOUNT_SID = fake_sms.account_sid
    settings.TWILIO_AUTH_TOKEN = fake_sms.auth_token
    settings.TWILIO_TIMEOUT_SECONDS = 2
    return fake_sms
