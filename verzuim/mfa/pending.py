"""The half-finished login between the password and the second factor.

It lives in the server-side session (shared by every app process) and holds no secrets:
who passed the password step, when, and an attempt id that SMS codes are bound to.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.http import HttpRequest

from verzuim.accounts.models import User
from verzuim.mfa.methods import MEMO_ATTRIBUTE

SESSION_KEY = "pending_login"


@dataclass
class PendingLogin:
    user_id: int
    attempt_id: str
    started_at: float
    next_url: str = ""

    def expired(self) -> bool:
        return time.time() - self.started_at > settings.PENDING_LOGIN_SECONDS


def begin(request: HttpRequest, user: User, next_url: str = "") -> PendingLogin:
    # A new session key, so a session id planted before the login is worthless.
    request.session.cycle_key()
    pending = PendingLogin(
        user_id=user.pk, attempt_id=uuid.uuid4().hex, started_at=time.time(), next_url=next_url
    )
    request.session[SESSION_KEY] = asdict(pending)
    return pending


def get(request: HttpRequest) -> tuple[PendingLogin, User] | None:
    """The pending login and its user, or None when there is none (or it went stale)."""
    raw = request.session.get(SESSION_KEY)
    if not raw:
        return None
    try:
        pending = PendingLogin(**raw)
    except TypeError:
        clear(request)
        return None
    tenant = getattr(request, "tenant", None)
    user = User.objects.filter(pk=pending.user_id, tenant=tenant, is_active=True).first()
    if pending.expired() or user is None or user.is_blocked:
        clear(request)
        return None
    if tenant is not None:
        user.tenant = tenant  # the same row (filtered on it): no second query for it
    setattr(user, MEMO_ATTRIBUTE, {})  # its factors do not change during this request
    return pending, user


def next_url(request: HttpRequest) -> str:
    """Where the pending login goes after the second step ("" for the home page)."""
    raw = request.session.get(SESSION_KEY) or {}
    value = raw.get("next_url", "") if isinstance(raw, dict) else ""
    return value if isinstance(value, str) else ""


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
