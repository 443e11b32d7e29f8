"""Every state change of an account: atomic, audited, and queueing its messages on commit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from verzuim.accounts import throttles
from verzuim.accounts.activation.actions import send_invitation
from verzuim.accounts.exceptions import AccountBlocked, InvalidCredentials, TooManyAttempts
from verzuim.accounts.models import TrustedDevice, User
from verzuim.accounts.sessions import end_sessions
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.request import SYSTEM, Origin
from verzuim.messaging.actions import queue_email


def check_password_step(
    tenant: Any, login_name: str, password: str, origin: Origin, *, device: str | None = None
) -> User:
    """The first step of the login. The attempt is reserved before any hashing.

    Raises TooManyAttempts, InvalidCredentials or AccountBlocked; returns the user when the
    password is right and the second factor may be asked. ``device`` is the nonce of a
    known-device cookie for this login name (its own counter: no lockout by others).
    """
    keys = throttles.login_keys(tenant.pk, login_name, origin.ip, device)
    try:
        reservation = throttles.reserve(keys)
    except TooManyAttempts as exc:
        if exc.first_refusal:
            record(Event.LOGIN_THROTTLED, origin=origin, tenant=tenant, outcome=Outcome.FAILURE,
                   login_name=login_name, data={"wait": exc.retry_after})
        raise
    user = authenticate(None, username=login_name, password=password, tenant=tenant)
    if user is None:
        record(Event.LOGIN_PASSWORD_FAILED, origin=origin, tenant=tenant,
               outcome=Outcome.FAILURE, login_name=login_name)
        if reservation.wait:
            raise TooManyAttempts(reservation.wait)
        raise InvalidCredentials()
    assert isinstance(user, User)
    throttles.release(reservation)
    if user.is_blocked:
        record(Event.LOGIN_BLOCKED_ACCOUNT, origin=origin, subject=user, outcome=Outcome.FAILURE)
        raise AccountBlocked()
    record(Event.LOGIN_PASSWORD_OK, origin=origin, subject=user)
    return user


def register_second_step_failure(user: User, origin: Origin, *, method: str) -> None:
    """A wrong code after a right password. Too many of them block the account.

    Raises AccountBlocked once the tenant's threshold is reached; the count, the audit row
    and the block are committed before that.
    """
    if _count_second_step_failure(user, origin, method=method):
        raise AccountBlocked()


@transaction.atomic
def _count_second_step_failure(user: User, origin: Origin, *, method: str) -> bool:
    User.objects.filter(pk=user.pk).update(second_step_failures=F("second_step_failures") + 1)
    user.refresh_from_db(fields=["second_step_failures", "blocked_at"])
    record(
        Event.SECOND_FACTOR_FAILED,
        origin=origin,
        subject=user,
        outcome=Outcome.FAILURE,
        data={"method": method, "failures": user.second_step_failures},
    )
    if user.second_step_failures >= user.tenant.second_step_block_threshold:
        block_user(user, origin=origin, reason="second_step_failures")
        return True
    return user.blocked_at is not None


@transaction.atomic
def block_user(
    user: User, *, origin: Origin = SYSTEM, actor: User | None = None, reason: str
) -> bool:
    """Block the account and warn the user that their password seems known. Idempotent."""
    now = timezone.now()
    if not User.objects.filter(pk=user.pk, blocked_at__isnull=True).update(
        blocked_at=now, blocked_reason=reason[:200]
    ):
        return False
    user.blocked_at, user.blocked_reason = now, reason[:200]
    end_sessions(user)
    record(Event.ACCOUNT_BLOCKED, origin=origin, actor=actor, subject=user, data={"reason": reason})
    queue_email(
        tenant=user.tenant, to=user.email, template="account_blocked", context={"user": user}
    )
    return True


@transaction.atomic
def unblock_user(user: User, *, actor: User, origin: Origin = SYSTEM, reason: str) -> bool:
    if not User.objects.filter(pk=user.pk, blocked_at__isnull=False).update(
        blocked_at=None, blocked_reason="", second_step_failures=0
    ):
        return False
    user.blocked_at, user.blocked_reason, user.second_step_failures = None, "", 0
    record(
        Event.ACCOUNT_UNBLOCKED,
        origin=origin,
        actor=actor,
        subject=user,
        data={"reason": reason[:200]},
    )
    queue_email(
        tenant=user.tenant, to=user.email, template="account_unblocked", context={"user": user}
    )
    return True


def complete_login(user: User, origin: Origin, *, method: str) -> None:
    """The second factor was right: clear the failure counter and record the login."""
    User.objects.filter(pk=user.pk).update(second_step_failures=0, last_login=timezone.now())
    record(Event.LOGIN_SUCCEEDED, origin=origin, subject=user, data={"method": method})


@transaction.atomic
def create_user(
    *,
    tenant: Any,
    username: str,
    email: str,
    phone: str,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    actor: User | None = None,
    origin: Origin = SYSTEM,
) -> User:
    """Create an account. Without a password the user activates it from the e-mail."""
    user = User(
        tenant=tenant,
        username=username.strip(),
        email=email,
        phone=phone,
        roles=roles,
        first_name=first_name,
        last_name=last_name,
    )
    if password:
        user.set_password(password)
        user.activated_at = user.phone_verified_at = timezone.now()
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    record(
        Event.USER_CREATED,
        origin=origin,
        actor=actor,
        subject=user,
        data={"roles": roles, "with_password": bool(password)},
    )
    if password:
        queue_email(
            tenant=tenant,
            to=email,
            template="account_created",
            context={"user": user, "has_password": True},
        )
    else:
        send_invitation(user, actor=actor, origin=origin)
    return user


def logout_everywhere(user: User, origin: Origin) -> int:
    """End every session and stop trusting every browser (a lost laptop is locked out)."""
    count = end_sessions(user)
    TrustedDevice.objects.filter(user=user).delete()
    record(
        Event.LOGOUT_EVERYWHERE, origin=origin, actor=user, subject=user, data={"sessions": count}
    )
    return count
