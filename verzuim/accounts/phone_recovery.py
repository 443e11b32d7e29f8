"""A lost phone, proven with a backup code plus an e-mail link.

A user who re-authenticated with a backup code (their phone is gone) may still set a new
number themselves: after the SMS code to the new number, an e-mailed link must be opened
too, and the support desk is told. The link is signed, short-lived and single use (it names
the old number, which the change replaces).
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import reverse

from verzuim.accounts.models import User
from verzuim.accounts.phone import mask_phone
from verzuim.accounts.security_actions import change_phone
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin
from verzuim.messaging.actions import queue_email
from verzuim.tenants.links import tenant_url

SALT = "verzuim.accounts.phone-recovery"
MAX_AGE = 30 * 60


class LinkInvalid(Exception):
    """Expired, used, tampered with, or for another user."""


def needs_email_link(method: str | None) -> bool:
    """Phone changes after a backup-code check need the e-mail link as well."""
    return method == "backup_code"


def send_link(user: User, new_phone: str, *, origin: Origin) -> None:
    token = signing.dumps({"u": user.pk, "old": user.phone, "new": new_phone}, salt=SALT)
    link = tenant_url(user.tenant, reverse("settings:phone-recovery", args=[token]))
    queue_email(
        tenant=user.tenant,
        to=user.email,
        template="phone_recovery",
        sensitive=True,
        context={
            "user": user,
            "link": link,
            "new_phone": mask_phone(new_phone),
            "minutes": MAX_AGE // 60,
        },
    )


def new_phone_from(token: str, user: User) -> str:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    if not isinstance(data, dict) or data.get("u") != user.pk or data.get("old") != user.phone:
        raise LinkInvalid()
    return str(data["new"])


@transaction.atomic
def complete(user: User, token: str, *, origin: Origin) -> None:
    new_phone = new_phone_from(token, user)
    change_phone(user, new_phone, origin=origin)
    record(
        Event.PHONE_RECOVERED,
        origin=origin,
        subject=user,
        actor=user,
        data={"new_ending": new_phone[-2:]},
    )
    queue_email(
        tenant=user.tenant,
        to=user.tenant.support_email,
        template="phone_recovered_support",
        context={"user": user, "new_phone": mask_phone(new_phone)},
    )
