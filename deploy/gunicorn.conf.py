"""Gunicorn settings for the portal's app servers (see docs/deployment.md).

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py verzuim.wsgi

Everything a deployer tunes comes from the environment:

    GUNICORN_BIND          address(es) to listen on, comma-separated   127.0.0.1:8000
    WEB_CONCURRENCY        worker processes                            2 x cores + 1
    GUNICORN_TIMEOUT       seconds before a silent worker is replaced  30
    GUNICORN_MAX_REQUESTS  requests before a worker is recycled        1000 (0 = never)
    FORWARDED_ALLOW_IPS    proxies whose X-Forwarded-Proto is believed 127.0.0.1,::1
    GUNICORN_CERTFILE      certificate (chain) for TLS on the proxy hop  unset: plain HTTP
    GUNICORN_KEYFILE       its private key                               unset: plain HTTP

Worker class: **sync**. A request either hashes a password (argon2id: CPU-bound, the GIL
makes threads no faster) or waits briefly on PostgreSQL; nothing streams or long-polls, and
SMS/e-mail go through the message worker, never inside a request. Sync workers behind a
buffering TLS proxy (nginx/Caddy read slow clients for us) are the simplest model that
keeps one slow request from holding up others in the same process, and the worker timeout
reliably replaces a worker stuck on a dead connection. Scale with processes, not threads.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from typing import Any

from gunicorn.glogging import Logger

from verzuim.core.logging import redact_link_tokens


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    value = int(raw) if raw else default
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


def _cores() -> int:
    """CPU cores this process may use (respects taskset/cpuset limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _is_loopback(address: str) -> bool:
    if address.startswith(("unix:", "fd://")):
        return True
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or "]" in address else address
    host = host.strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- Sockets and processes ------------------------------------------------------------
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b]

workers = _env_int("WEB_CONCURRENCY", 2 * _cores() + 1, minimum=1)
worker_class = "sync"
proc_name = "verzuim-web"

# A worker silent this long (a request stuck on a dead connection) is killed and replaced.
# The slowest legitimate request (a 10,000-row CSV import, an export) stays well below it.
timeout = _env_int("GUNICORN_TIMEOUT", 30, minimum=5)
graceful_timeout = 30  # on SIGTERM/HUP, requests in flight may finish
# Recycle workers now and then (bounds slow memory growth); the jitter keeps them from all
# restarting at the same moment.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10

# Preload: the application is imported once in the master before forking, so a broken
# release (import error, failed system check below) stops the master at once instead of
# workers crash-looping, workers start fast after max_requests, and imported code is shared
# copy-on-write. Django opens no database connection at import; on_starting closes any the
# checks opened, so no connection crosses a fork. Consequence: SIGHUP does not load new
# code; deploy by restarting the service (docs/deployment.md).
preload_app = True

# The heartbeat file on a RAM disk: a slow or full disk must not make the master think
# its workers hang (Docker and some VMs mount /tmp on overlay/disk).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# X-Forwarded-Proto is believed from these proxies only (gunicorn then marks the request as
# HTTPS for Django). Default: a TLS proxy on this machine. Gunicorn also drops header names
# with underscores (header_map "drop"), so a client cannot smuggle X_FORWARDED_PROTO.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No run-time control socket: several instances on one host would share its default path,
# and service management goes through signals (systemd) anyway.
control_socket_disable = True

# --- TLS on the hop from the proxy (docs/deployment.md, "Internal TLS") ---------------
# With a certificate from the internal CA the app server speaks HTTPS only, and the proxy
# verifies that certificate against the internal CA. Both files or neither.
certfile = os.environ.get("GUNICORN_CERTFILE", "").strip() or None
keyfile = os.environ.get("GUNICORN_KEYFILE", "").strip() or None
if (certfile is None) != (keyfile is None):
    raise ValueError("Set GUNICORN_CERTFILE and GUNICORN_KEYFILE together, or neither")


def ssl_context(conf: Any, default_ssl_context_factory: Any) -> ssl.SSLContext:
    """TLS 1.2 or newer only, whatever the OpenSSL build would still allow."""
    context: ssl.SSLContext = default_ssl_context_factory()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# --- Logs (to stdout/stderr: the service manager collects them) ------------------------
# Activation, password-reset and phone-recovery links carry a token in the path; query
# strings and the referrer may carry search terms or such a link. None of them reach the
# access log.
def redact_path(path: str) -> str:
    """The path without link tokens, on one line: the (decoded) path may hold any character,
    so control characters such as CR/LF or ANSI escapes are written escaped (no forged lines)."""
    return redact_link_tokens(path).encode("unicode_escape").decode("ascii")


class RedactingLogger(Logger):
    """Access log atoms without query strings, referrers or tokens in paths."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = redact_path(atoms.get("U") or "")
        atoms["U"] = path
        atoms["r"] = f"{atoms.get('m')} {path} {atoms.get('H')}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        # Header and environ atoms (cookies, authorisation) are never available to the format.
        return {k: v for k, v in atoms.items() if not k.startswith("{")}


logger_class = RedactingLogger
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# remote address, time, method, path (no query), status, bytes, seconds, worker pid
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s %(p)s'


# --- Hooks ----------------------------------------------------------------------------
def on_starting(server: Any) -> None:
    """Run Django's system checks once in the master: production refuses to serve with a
    default secret key, DEBUG on or development backends (verzuim.core.checks)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verzuim.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    django.setup()
    from django.conf import settings

    exposed = [b for b in server.cfg.bind if not _is_loopback(b)]
    if settings.LOCAL_ONLY and exposed:
        # A local-only process speaks plain HTTP and keeps messages in the outbox: never let
        # it listen where another machine can reach it.
        server.log.error("VERZUIM_LOCAL_ONLY: refusing to listen on %s", ", ".join(exposed))
        raise SystemExit(1)
    try:
        call_command("check")
    except SystemCheckError as exc:
        server.log.error("Refusing to start: %s", exc)
        raise SystemExit(1) from None
    finally:
        connections.close_all()
