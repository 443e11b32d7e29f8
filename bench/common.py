# ruff: noqa: S603 - fixed commands of this repository, no outside input
"""Shared parts of the benchmarks: the throwaway database, Django set-up, gunicorn, the machine.

Everything runs on this machine and talks to 127.0.0.1 only. The database is a fresh
PostgreSQL database created for the run and dropped afterwards; Redis uses database 2 only
(flushed before and after, never another database).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BASE_URL = PG_ADMIN_URL.rsplit("/", 1)[0]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
TENANT_HOST = "127.0.0.1"
PASSWORD = "Bench-login-password-2026"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database --------------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def temp_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this run; dropped afterwards, whatever happens."""
    name = f"verzuim_bench_{os.getpid()}_{secrets.token_hex(3)}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE_URL}/{name}"
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def base_env(database_url: str, environment: str) -> dict[str, str]:
    """Environment of every process of the run (bench driver, gunicorn, worker)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VERZUIM_"))}
    env.update(
        VERZUIM_ENVIRONMENT=environment,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="verzuim.settings",
        VERZUIM_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def setup_django(database_url: str) -> None:
    """Django in this (driver) process: the real settings, development mode, no checks."""
    os.environ.update(base_env(database_url, "development"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- processes ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float, host: str | None = None) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (127.0.0.1 only)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception as exc:  # connection refused while starting
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s: {last}")


def stop_process(proc: subprocess.Popen[Any], timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def production_env(database_url: str, twilio_base: str = "http://127.0.0.1:9") -> dict[str, str]:
    """Production settings as on a server behind a TLS-terminating load balancer.

    The load balancer is simulated by the client sending ``X-Forwarded-Proto: https``
    (DJANGO_BEHIND_TLS_PROXY=1): no HTTPS redirect, Secure cookies as in production.
    """
    env = base_env(database_url, "production")
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_BEHIND_TLS_PROXY="1",
        VERZUIM_TRUSTED_PROXY_HEADER="X-Forwarded-For",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        TWILIO_ACCOUNT_SID="AC00000000000000000000000000000001",
        TWILIO_AUTH_TOKEN="bench-auth-token",
        TWILIO_API_BASE=twilio_base,
        TWILIO_TIMEOUT_SECONDS="10",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="9",  # nothing listens: e-mails (none in these flows) would be retried
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )


@dataclass
class Gunicorn:
    workers: int
    port: int
    proc: subprocess.Popen[Any]
    command: list[str] = field(default_factory=list)
    peaks: dict[int, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        import psutil

        master = psutil.Process(self.proc.pid)
        return [master.pid, *(c.pid for c in master.children(recursive=True))]

    def worker_pids(self) -> list[int]:
        import psutil

        return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]

    def cpu_seconds(self) -> float:
        """utime + stime (from /proc/<pid>/stat) of the master, of every live worker and of
        the workers that exited already (recycled after max_requests: the master's
        cutime + cstime once it has reaped them)."""
        import psutil

        master = psutil.Process(self.proc.pid)
        times = master.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in master.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = child.cpu_times()
                total += times.user + times.system
        return total

    def sample_memory(self) -> None:
        """Remember VmHWM (peak resident set) of every worker seen so far."""
        for pid in self.worker_pids():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        kib = int(line.split()[1])
                        self.peaks[pid] = max(self.peaks.get(pid, 0), kib)

    def peak_rss_mib(self) -> list[float]:
        """VmHWM of each worker process that served during the run (recycled ones too), MiB."""
        self.sample_memory()
        return sorted((kib / 1024 for kib in self.peaks.values()), reverse=True)


def workers_default() -> int:
    """What deploy/gunicorn.conf.py starts by default: 2 x cores + 1."""
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The production command of deploy/gunicorn.conf.py (sync workers, access log, worker
    recycling after GUNICORN_MAX_REQUESTS), on a free local port."""
    command = [str(BIN / "gunicorn")]
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    if conf.exists():
        command += ["-c", str(conf)]
    else:  # before deploy/ existed: the same essentials on the command line
        command += ["--worker-class", "sync", "--access-logfile", "-", "--timeout", "30"]
    return command + [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "verzuim.wsgi:application",
    ]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, log_file: Path) -> Iterator[Gunicorn]:
    """gunicorn under test; a thread samples the workers' peak memory every second."""
    import threading

    port = free_port()
    command = gunicorn_command(port, workers)
    env = {**env, "WEB_CONCURRENCY": str(workers)}
    with open(log_file, "ab") as logs:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=logs,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(workers=workers, port=port, proc=proc, command=command)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            with contextlib.suppress(Exception):
                server.sample_memory()

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        wait_http(f"{server.url}/healthz", timeout=60)
        deadline = time.monotonic() + 30
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        sampler.start()
        yield server
    finally:
        stop.set()
        stop_process(proc)


# --- the machine ----------------------------------------------------------------------


def _first(path: str, key: str) -> str:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return "?"


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def machine() -> dict[str, str]:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    info = redis.Redis.from_url(REDIS_URL, socket_timeout=5).info("server")
    mem_kib = int(_first("/proc/meminfo", "MemTotal").split()[0])
    load = os.getloadavg()
    commit = _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _version(["git", "-C", str(ROOT), "status", "--porcelain"])
    from importlib.metadata import version

    import django

    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "git commit": commit + (" (with uncommitted changes)" if dirty != "?" else ""),
        "CPU": _first("/proc/cpuinfo", "model name"),
        "cores (nproc)": str(os.cpu_count()),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "load average before the run (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": version("gunicorn"),
        "locust": version("locust"),
        "PostgreSQL": str(pg),
        "Redis": str(info.get("redis_version", "?")),
    }
