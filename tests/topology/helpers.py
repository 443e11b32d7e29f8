"""Real processes for the topology tests: production settings, gunicorn, a throwaway database.

Nothing here is mocked: the servers are gunicorn with deploy/gunicorn.conf.py, the database
is a fresh PostgreSQL database migrated by ``manage.py migrate``, and the client speaks HTTP
with a cookie jar like one browser behind a load balancer.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Inherited settings that must not leak from the test run into a "production" process.
INHERITED_PREFIXES = ("VERZUIM_", "DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "TWILIO_",
                      "GUNICORN_", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")


def production_env(**overrides: str) -> dict[str, str]:
    """The process environment of a production deployment as in .env.example, with a fresh
    50+ character secret key; ``overrides`` win."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_PREFIXES)}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip()
    env.update(
        DJANGO_SETTINGS_MODULE="verzuim.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def local_only_env(database_url: str, var_dir: Path, **overrides: str) -> dict[str, str]:
    """Production settings for processes on this machine (what `make prod-local` uses)."""
    return production_env(
        VERZUIM_LOCAL_ONLY="1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_BEHIND_TLS_PROXY="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,.localhost",
        DJANGO_CSRF_TRUSTED_ORIGINS="",
        VERZUIM_SMS_BACKEND="verzuim.messaging.backends.outbox.OutboxSmsBackend",
        VERZUIM_EMAIL_BACKEND="verzuim.messaging.backends.outbox.OutboxEmailBackend",
        VERZUIM_TRUSTED_PROXY_HEADER="",
        DATABASE_URL=database_url,
        VERZUIM_VAR_DIR=str(var_dir),
        VERZUIM_STATIC_ROOT=str(var_dir / "static"),
        **overrides,
    )


def manage(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- a throwaway PostgreSQL database ------------------------------------------------------

@contextmanager
def temporary_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped afterwards."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(server_url)
    name = f"verzuim_topology_{os.getpid()}_{secrets.token_hex(4)}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# --- gunicorn ---------------------------------------------------------------------------

@dataclass
class AppServer:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_app_server(name: str, env: dict[str, str], log_dir: Path, *, workers: int = 2,
                     startup_timeout: float = 60) -> AppServer:
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port; returns once /healthz
    answers 200 (or raises with the server's log)."""
    port = free_port()
    log_path = log_dir / f"gunicorn-{name}.log"
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [GUNICORN, "-c", "deploy/gunicorn.conf.py", "verzuim.wsgi"],
            cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends master and workers
        )
    server = AppServer(name, port, process, log_path)
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {name} exited ({process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    stop_app_server(server)
    raise RuntimeError(f"gunicorn {name} did not answer /healthz in time:\n{server.log()}")


def stop_app_server(server: AppServer, timeout: float = 20) -> None:
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
    # Workers left behind by a master that died are in the same group: end them too.
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --- one browser ------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None  # the test decides which server follows each redirect


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, f"no CSRF token in the page (status {self.status})"
        return match.group(1)


class Browser:
    """One browser with one cookie jar, talking to whichever app server the test picks,
    always with the tenant's host name (as a load balancer would pass it on)."""

    def __init__(self, host: str, timeout: float = 20) -> None:
        self.host = host
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, server: AppServer, path: str, data: dict[str, str] | None = None,
                cookies: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(f"{server.base}{path}", data=body)  # noqa: S310
        req.add_header("Host", self.host)
        req.add_header("Accept-Language", "en")
        req.add_header("User-Agent", "topology-test")
        opener = self.opener
        if cookies is not None:  # an explicit cookie header instead of the jar
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
            opener = urllib.request.build_opener(_NoRedirect())
        try:
            with opener.open(req, timeout=self.timeout) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, error.headers, error.read()
        return Response(status, {k.lower(): v for k, v in headers.items()},
                        raw.decode("utf-8", "replace"))

    def get(self, server: AppServer, path: str, **kwargs) -> Response:  # noqa: ANN003
        return self.request(server, path, **kwargs)

    def post(self, server: AppServer, path: str, data: dict[str, str], **kwargs) -> Response:  # noqa: ANN003
        return self.request(server, path, data=data, **kwargs)

    def form_post(self, server_get: AppServer, server_post: AppServer, path: str,
                  data: dict[str, str]) -> Response:
        """Load the form from one server, send it to another (with the form's CSRF token)."""
        token = self.get(server_get, path).csrf_token()
        return self.post(server_post, path, {"csrfmiddlewaretoken": token, **data})

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)
