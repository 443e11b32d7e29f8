"""What every change of password, phone or second factor has in common."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from verzuim.accounts.models import TrustedDevice, User
from verzuim.audit.actions import record
from verzuim.core.request import SYSTEM, Origin
from verzuim.messaging.actions import queue_email


@transaction.atomic
def record_security_change(
    user: User,
    event: str,
    *,
    origin: Origin = SYSTEM,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> None:
    """Audit the change, revoke trusted browsers, and e-mail the user about it.

    Call this inside the action that made the change (same transaction).
    """
    TrustedDevice.objects.filter(user=user).delete()
    audit = record(event, origin=origin, actor=actor or user, subject=user, data=data)
    if notify:
        queue_email(
            tenant=user.tenant,
            to=user.email,
            template="security_change",
            context={"user": user, "what": audit.get_event_display(), "when": audit.at,
                     "ip": origin.ip or ""},
        )
