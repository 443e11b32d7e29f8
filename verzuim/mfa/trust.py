"""'Dit apparaat vertrouwen': skip the second step on a browser the user trusts.

The browser gets a signed, HttpOnly cookie naming a TrustedDevice row and its user. The row
is the authority: any change of password or factors deletes the rows, so every such cookie
stops working at once. Off unless the tenant's policy sets a number of days.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from verzuim.accounts.models import TrustedDevice, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin

COOKIE = "verzuim_trusted"


def cookie_name() -> str:
    """``COOKIE`` with the __Host- prefix over HTTPS (settings.COOKIE_PREFIX)."""
    return f"{getattr(settings, 'COOKIE_PREFIX', '')}{COOKIE}"

SALT = "verzuim.mfa.trusted-device"


def offered(user: User) -> int:
    """Days a browser may be trusted for this user's tenant (0: the option is not shown)."""
    return int(user.tenant.trusted_device_days or 0)


def issue(request: HttpRequest, response: HttpResponse, user: User) -> None:
    days = offered(user)
    if not days:
        return
    origin = Origin.from_request(request)
    device = TrustedDevice.objects.create(
        user=user, expires_at=timezone.now() + timedelta(days=days), ip=origin.ip,
        user_agent=origin.user_agent,
    )
    record(Event.TRUSTED_DEVICE_ADDED, origin=origin, subject=user, data={"days": days})
    value = signing.dumps({"d": device.pk, "u": user.pk}, salt=SALT)
    response.set_cookie(
        cookie_name(), value, max_age=days * 86400, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE, path="/",
    )


def check(request: HttpRequest, user: User) -> TrustedDevice | None:
    """The trusted-device row for this browser and user, when still valid."""
    if not offered(user):
        return None
    raw = request.COOKIES.get(cookie_name())
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=offered(user) * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    device_id = data.get("d")
    if not isinstance(device_id, int):
        return None
    device = TrustedDevice.objects.filter(
        pk=device_id, user=user, expires_at__gt=timezone.now()
    ).first()
    if device is not None:
        TrustedDevice.objects.filter(pk=device.pk).update(last_used_at=timezone.now())
    return device
