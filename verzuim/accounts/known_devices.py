"""Known-device cookies (OWASP "device cookies") against lockout by strangers.

After a complete login the browser gets a signed cookie naming the account (as its throttle
key) and a random nonce. A later password attempt for that account from that browser counts
on its own throttle counter, so an attacker who keeps failing on the account from elsewhere
cannot keep its owner out.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from verzuim.accounts.throttles import account_key

COOKIE = "verzuim_device"


def cookie_name() -> str:
    """``COOKIE`` with the __Host- prefix over HTTPS (settings.COOKIE_PREFIX)."""
    return f"{getattr(settings, 'COOKIE_PREFIX', '')}{COOKIE}"

SALT = "verzuim.accounts.known-device"
MAX_AGE = 180 * 86400


def nonce_for(request: HttpRequest, tenant_id: int, login_name: str) -> str | None:
    raw = request.COOKIES.get(cookie_name())
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") != account_key(tenant_id, login_name):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None


def remember(response: HttpResponse, tenant_id: int, login_name: str) -> None:
    value = signing.dumps(
        {"k": account_key(tenant_id, login_name), "n": secrets.token_urlsafe(16)}, salt=SALT
    )
    response.set_cookie(
        cookie_name(),
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )
