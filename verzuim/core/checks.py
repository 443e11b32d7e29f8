"""System checks that refuse to run production with development settings."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

DEV_BACKEND_MARKERS = ("outbox", "locmem", "console", "dummy", "filebased")
#: The libpq mode that encrypts *and* checks the server's certificate and name (ASVS V12.3.2).
ENCRYPTING_SSLMODES = ("verify-full",)


def _is_local(host: str) -> bool:
    """True for loopback and Unix-socket hosts: traffic that never leaves the machine."""
    host = (host or "").strip("[]")
    if not host or host == "localhost" or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register()
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.ENVIRONMENT != "production":
        return []
    errors: list[CheckMessage] = []
    # VERZUIM_LOCAL_ONLY (settings.py allows it only with loopback host names) keeps messages
    # in the local outbox and speaks plain HTTP: `make prod-local`, never a real deployment.
    local_only = settings.LOCAL_ONLY
    if local_only:
        errors.append(Warning(
            "VERZUIM_LOCAL_ONLY is on: plain HTTP on loopback, messages stay in the outbox.",
            hint="Only for running production settings on this machine.", id="verzuim.W001",
        ))
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        errors.append(Error(
            "DJANGO_SECRET_KEY is the development default or shorter than 50 characters.",
            hint="Set DJANGO_SECRET_KEY to a long random value.", id="verzuim.E001",
        ))
    if settings.DEBUG:
        errors.append(Error(
            "DJANGO_DEBUG is on in production.", hint="Unset DJANGO_DEBUG.", id="verzuim.E002",
        ))
    if not local_only and any(m in settings.SMS_BACKEND.lower() for m in DEV_BACKEND_MARKERS):
        errors.append(Error(
            f"The SMS backend {settings.SMS_BACKEND} only stores messages locally.",
            hint="Set VERZUIM_SMS_BACKEND to a real provider backend.", id="verzuim.E003",
        ))
    if not local_only and any(
        m in settings.MESSAGING_EMAIL_BACKEND.lower() for m in DEV_BACKEND_MARKERS
    ):
        errors.append(Error(
            f"The e-mail backend {settings.MESSAGING_EMAIL_BACKEND} does not send e-mail.",
            hint="Set VERZUIM_EMAIL_BACKEND to the SMTP backend.", id="verzuim.E004",
        ))
    if "immediate" in str(settings.TASKS["default"]["BACKEND"]).lower():
        errors.append(Error(
            "The task backend runs work inside web requests.",
            hint="Use django_tasks_db.DatabaseBackend with a worker.", id="verzuim.E005",
        ))
    return errors


def database_is_protected(database: Mapping[str, Any]) -> bool:
    """A PostgreSQL connection is local, or asks libpq for an encrypting ``sslmode``."""
    if database["ENGINE"] != "django.db.backends.postgresql" or _is_local(database.get("HOST", "")):
        return True
    return database.get("OPTIONS", {}).get("sslmode") in ENCRYPTING_SSLMODES


@register(deploy=True)
def encrypted_backend_connections(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """ASVS V12.3.1: every connection that leaves the machine is encrypted and verified."""
    if settings.ENVIRONMENT != "production":
        return []
    errors: list[CheckMessage] = []
    if not database_is_protected(settings.DATABASES["default"]):
        errors.append(Error(
            "The database connection to another host is not encrypted.",
            hint="Add ?sslmode=verify-full (and sslrootcert) to DATABASE_URL.", id="verzuim.E006",
        ))
    redis = urlsplit(settings.REDIS_URL) if settings.REDIS_URL else None
    unverified = redis is not None and "ssl_cert_reqs=none" in redis.query.lower()
    if redis is not None and not _is_local(redis.hostname or "") and (
        redis.scheme != "rediss" or unverified
    ):
        errors.append(Error(
            "The Redis connection to another host is not encrypted and verified.",
            hint="Use a rediss:// REDIS_URL that checks the certificate.", id="verzuim.E007",
        ))
    smtp = "smtp" in settings.MESSAGING_EMAIL_BACKEND.lower()
    if smtp and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL) and not _is_local(
        settings.EMAIL_HOST
    ):
        errors.append(Error(
            "E-mail goes to another host without TLS.",
            hint="Set EMAIL_USE_TLS=1 (STARTTLS) or EMAIL_USE_SSL=1.", id="verzuim.E008",
        ))
    return errors
