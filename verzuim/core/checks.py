"""System checks that refuse to run production with development settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

DEV_BACKEND_MARKERS = ("outbox", "locmem", "console", "dummy", "filebased")


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
