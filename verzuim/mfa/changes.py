"""What every change of password, phone or second factor has in common."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from verzuim.accounts.models import TrustedDevice, User
from verzuim.accounts.sessions import end_sessions
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
    end_other_sessions: bool = True,
) -> None:
    """Audit the change, revoke trusted browsers, end the user's other sessions, and e-mail
    the user about it.

    Only the session the change came from (``origin.session_key``) survives: whoever holds
    another session of this account, perhaps the attacker the user is locking out, has to
    log in again with the new factors (ASVS V7.4.3). Call this inside the action that made
    the change (same transaction).
    """
    TrustedDevice.objects.filter(user=user).delete()
    if end_other_sessions:
        keep = origin.session_key if (actor is None or actor.pk == user.pk) else None
        end_sessions(user, keep_session_key=keep)
    audit = record(event, origin=origin, actor=actor or user, subject=user, data=data)
    if notify:
        queue_email(
            tenant=user.tenant,
            to=user.email,
            template="security_change",
            context={"user": user, "what": audit.get_event_display(), "when": audit.at,
                     "ip": origin.ip or ""},
        )
