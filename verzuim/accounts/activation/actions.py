"""Every state change of the first login: atomic, audited, queueing its messages on commit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from verzuim.accounts.models import User
from verzuim.accounts.sessions import end_sessions
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin
from verzuim.messaging.actions import queue_email
from verzuim.tenants.links import tenant_url

from .tokens import activation_token, encode_uid


class ActivationError(Exception):
    pass


class AlreadyActivated(ActivationError):
    """The account was activated before: the user logs in normally (or resets the password)."""


class AccountInactive(ActivationError):
    """The account has been deactivated; it cannot be activated."""


def activation_link(user: User) -> str:
    """The absolute link in the invitation, always on the tenant's own host name.

    Never built from a request's Host header, so a forged header cannot plant a foreign link.
    """
    path = reverse(
        "activation:link",
        kwargs={"uidb64": encode_uid(user.pk), "token": activation_token.make_token(user)},
    )
    return tenant_url(user.tenant, path)


def link_valid_days() -> int:
    return max(int(settings.ACTIVATION_LINK_SECONDS) // 86400, 0)


def link_valid_hours() -> int:
    return max(int(settings.ACTIVATION_LINK_SECONDS) // 3600, 1)


@transaction.atomic
def send_invitation(user: User, *, actor: User | None = None, origin: Origin = SYSTEM) -> str:
    """E-mail a new activation link; every older link of this user stops working.

    Raises AlreadyActivated or AccountInactive. Returns the link (for tests and the command).
    """
    if user.activated_at is not None:
        raise AlreadyActivated()
    if not user.is_active:
        raise AccountInactive()
    user.invitation_sent_at = timezone.now()
    user.save(update_fields=["invitation_sent_at"])
    link = activation_link(user)
    days = link_valid_days()
    queue_email(
        tenant=user.tenant,
        to=user.email,
        template="activation",
        context={
            "user": user,
            "link": link,
            "valid_days": days,
            "valid_hours": link_valid_hours() if days < 1 else 0,
            "expires_at": user.invitation_sent_at
            + timedelta(seconds=settings.ACTIVATION_LINK_SECONDS),
        },
        sensitive=True,
    )
    record(Event.INVITATION_SENT, origin=origin, actor=actor, subject=user)
    return link


class LinkUsed(ActivationError):
    """The link stopped working while the password was being chosen (used in parallel)."""


@transaction.atomic
def set_initial_password(
    user: User, password: str, origin: Origin, *, token: str | None = None
) -> None:
    """The password the user chose from the invitation link. The link dies with it.

    The link ``token`` (the views always pass it) is checked again on the locked account
    row, so of requests racing with one link only the first sets a password; the others
    raise LinkUsed.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.activated_at is not None or user.activated_at is not None:
        raise AlreadyActivated()
    if token is not None and not activation_token.check_token(locked, token):
        raise LinkUsed()
    user.set_password(password)
    user.save(update_fields=["password"])
    # A resent invitation may follow a half-finished activation: no old session survives.
    end_sessions(user)
    record(
        Event.PASSWORD_CHANGED, origin=origin, actor=user, subject=user, data={"activation": True}
    )


@transaction.atomic
def confirm_phone(user: User, origin: Origin) -> None:
    """The user entered the SMS code sent to the number on file."""
    user.phone_verified_at = timezone.now()
    user.save(update_fields=["phone_verified_at"])
    record(
        Event.PHONE_CONFIRMED,
        origin=origin,
        actor=user,
        subject=user,
        data={"ending": user.phone[-2:]},
    )


@transaction.atomic
def complete_activation(user: User, origin: Origin) -> bool:
    """Mark the account activated. Idempotent: False when it already was."""
    now = timezone.now()
    if not User.objects.filter(pk=user.pk, activated_at__isnull=True).update(activated_at=now):
        return False
    user.activated_at = now
    record(Event.ACCOUNT_ACTIVATED, origin=origin, actor=user, subject=user)
    return True
