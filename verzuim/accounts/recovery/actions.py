"""Forgotten login name and password: every write, audit row and e-mail of the recovery.

Both requests answer the same whether or not an account exists: the callers show one
page either way, and nothing here hashes a password, for known and unknown names alike.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from verzuim.accounts import throttles
from verzuim.accounts.exceptions import TooManyAttempts
from verzuim.accounts.models import User
from verzuim.accounts.sessions import end_sessions
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.request import Origin
from verzuim.messaging.actions import queue_email
from verzuim.mfa.changes import record_security_change
from verzuim.tenants.links import tenant_url

from . import throttling
from .tokens import Verdict, encode_uid, reset_token


def _reserve(
    keys: list[tuple[str, str]], event: str, origin: Origin, tenant: Any, login_name: str = ""
) -> None:
    """Count the request; a running wait raises TooManyAttempts (audited once per wait)."""
    try:
        throttles.reserve(keys)
    except TooManyAttempts as exc:
        if exc.first_refusal:
            record(
                event,
                origin=origin,
                tenant=tenant,
                outcome=Outcome.FAILURE,
                login_name=login_name,
                data={"throttled": True, "wait": exc.retry_after},
            )
        raise


def _common_context(tenant: Any) -> dict[str, Any]:
    return {
        "login_url": tenant_url(tenant, reverse("accounts:login")),
        "help_url": tenant_url(tenant, reverse("help:faq")),
    }


def valid_minutes() -> int:
    return max(int(settings.PASSWORD_RESET_SECONDS) // 60, 1)


def send_login_names(tenant: Any, email: str, origin: Origin) -> int:
    """E-mail the login names of the active accounts with this address, in one message.

    Raises TooManyAttempts. Returns the number of names sent (never shown to the requester).
    """
    _reserve(
        throttling.login_name_keys(tenant.pk, email, origin.ip),
        Event.LOGIN_NAME_REQUESTED,
        origin,
        tenant,
    )
    return _send_login_names(tenant, email, origin)


@transaction.atomic
def _send_login_names(tenant: Any, email: str, origin: Origin) -> int:
    users = list(
        User.objects.for_tenant(tenant)
        .filter(email__iexact=email.strip(), is_active=True)
        .order_by("username")
    )
    if users:
        queue_email(
            tenant=tenant,
            to=users[0].email,
            template="login_names",
            context={
                "users": users,
                "names": [u.username for u in users],
                **_common_context(tenant),
            },
        )
    record(Event.LOGIN_NAME_REQUESTED, origin=origin, tenant=tenant, data={"accounts": len(users)})
    return len(users)


def reset_link(user: User) -> str:
    """The absolute link, always on the tenant's own host name (never the request's Host)."""
    path = reverse(
        "recovery:link",
        kwargs={"uidb64": encode_uid(user.pk), "token": reset_token.make_token(user)},
    )
    return tenant_url(user.tenant, path)


def request_password_reset(tenant: Any, login_name: str, origin: Origin) -> str:
    """E-mail a reset link to an active account (an account not yet activated gets advice).

    Raises TooManyAttempts. Returns what was sent: "link", "invitation_advice" or "none"
    (for the audit log and tests; never shown to the requester).
    """
    name = login_name.strip()
    _reserve(
        throttling.password_keys(tenant.pk, name, origin.ip),
        Event.PASSWORD_RESET_REQUESTED,
        origin,
        tenant,
        login_name=name,
    )
    return _send_reset(tenant, name, origin)


@transaction.atomic
def _send_reset(tenant: Any, name: str, origin: Origin) -> str:
    user = User.objects.for_tenant(tenant).filter(username__iexact=name, is_active=True).first()
    sent = "none"
    if user is not None:
        context: dict[str, Any] = {"user": user, **_common_context(tenant)}
        if user.activated_at is None:
            sent = "invitation_advice"
            context["not_activated"] = True
        else:
            sent = "link"
            context.update(
                link=reset_link(user),
                valid_minutes=valid_minutes(),
                expires_at=timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_SECONDS),
            )
        queue_email(
            tenant=tenant,
            to=user.email,
            template="password_reset",
            context=context,
            sensitive=sent == "link",
        )
    record(
        Event.PASSWORD_RESET_REQUESTED,
        origin=origin,
        tenant=tenant,
        subject=user,
        login_name=name,
        data={"sent": sent},
    )
    return sent


def refuse_link(tenant: Any, user: User | None, reason: str, origin: Origin) -> None:
    record(
        Event.PASSWORD_RESET_LINK_REFUSED,
        origin=origin,
        tenant=tenant,
        subject=user,
        outcome=Outcome.FAILURE,
        data={"reason": reason},
    )


class LinkUsed(Exception):
    """The link stopped working while the new password was being chosen (used in parallel)."""


@transaction.atomic
def reset_password(user: User, password: str, origin: Origin, *, token: str) -> int:
    """Set the new password from a valid link; every session of the user ends.

    The link dies with the old password hash. Trusted browsers are revoked, the change is
    audited and the user is told by e-mail. A blocked account stays blocked. Returns the
    number of sessions ended.

    The link ``token`` is checked again on the locked account row, so of requests racing
    with one link only the first sets a password; the others raise LinkUsed.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if reset_token.verdict(locked, token) is not Verdict.VALID:
        raise LinkUsed()
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = end_sessions(user)
    record_security_change(
        user, Event.PASSWORD_RESET_DONE, origin=origin, data={"sessions_ended": ended}, notify=False
    )
    queue_email(
        tenant=user.tenant,
        to=user.email,
        template="password_reset_done",
        context={
            "user": user,
            "when": timezone.now(),
            "ip": origin.ip or "",
            **_common_context(user.tenant),
        },
    )
    return ended
