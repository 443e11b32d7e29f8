"""Writing the audit log. Callers pass facts, never secrets: ``data`` is screened."""

from __future__ import annotations

from typing import Any

from verzuim.audit.models import AuditEvent, Outcome
from verzuim.core.reference import current_reference
from verzuim.core.request import SYSTEM, Origin

# Keys that must never reach the audit log, whatever a caller passes.
_FORBIDDEN_KEYS = {
    "password",
    "code",
    "token",
    "secret",
    "otp",
    "backup_code",
    "sms_code",
    "totp_code",
    "key",
}


def _clean(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    for key in data:
        if key.lower() in _FORBIDDEN_KEYS:
            raise ValueError(f"Refusing to write {key!r} to the audit log")
    return data


def record(
    event: str,
    *,
    origin: Origin = SYSTEM,
    tenant: Any = None,
    actor: Any = None,
    subject: Any = None,
    outcome: str = Outcome.SUCCESS,
    login_name: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if tenant is None and subject is not None:
        tenant = subject.tenant
    if tenant is None and actor is not None:
        tenant = actor.tenant
    reference = current_reference.get()
    return AuditEvent.objects.create(
        tenant=tenant,
        event=event,
        outcome=outcome,
        actor=actor,
        subject=subject,
        login_name=login_name[:150],
        ip=origin.ip,
        user_agent=origin.user_agent,
        reference="" if reference == "-" else reference,
        data=_clean(data),
    )
