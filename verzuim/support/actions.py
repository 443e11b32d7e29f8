"""What the support desk does to an account. Atomic, audited with the reason, notifying
the user by e-mail. The actor is always the support user; views check the tenant first."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from verzuim.accounts.actions import unblock_user
from verzuim.accounts.activation.actions import send_invitation
from verzuim.accounts.models import SecondFactor, TrustedDevice, User
from verzuim.accounts.sessions import end_sessions
from verzuim.audit.actions import record
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.models import ErrorReport
from verzuim.core.request import SYSTEM, Origin
from verzuim.messaging.actions import queue_email
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.sms.models import SmsChallenge
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential
from verzuim.support.queries import report_user


class SupportActionRefused(Exception):
    """The action does not apply to this account (the view says why)."""


class OwnAccount(SupportActionRefused):
    """Support users do not reset or deactivate their own account."""


class NotApplicable(SupportActionRefused):
    """E.g. unblocking an account that is not blocked."""


def _check_tenant(actor: User, user: User) -> None:
    # Views fetch through a scoped getter already; this guards any other caller.
    if actor.tenant_id != user.tenant_id:
        raise PermissionError("Support acts only within its own tenant.")


def _not_self(actor: User, user: User) -> None:
    if actor.pk == user.pk:
        raise OwnAccount()


def _notify(user: User, template: str, **context: Any) -> None:
    queue_email(
        tenant=user.tenant, to=user.email, template=template, context={"user": user, **context}
    )


def unblock(user: User, *, actor: User, reason: str, origin: Origin = SYSTEM) -> None:
    """Lift a block (unblock_user audits ACCOUNT_UNBLOCKED and e-mails the user)."""
    _check_tenant(actor, user)
    if not unblock_user(user, actor=actor, origin=origin, reason=reason):
        raise NotApplicable()


def resend_invitation(user: User, *, actor: User, reason: str, origin: Origin = SYSTEM) -> None:
    """A new activation e-mail for an account that was never activated."""
    _check_tenant(actor, user)
    if user.activated_at is not None or not user.is_active:
        raise NotApplicable()
    with transaction.atomic():
        send_invitation(user, actor=actor, origin=origin)
        record(
            Event.INVITATION_SENT,
            origin=origin,
            actor=actor,
            subject=user,
            data={"reason": reason, "by_support": True},
        )


@transaction.atomic
def reset_phone(
    user: User, new_phone: str, *, actor: User, reason: str, origin: Origin = SYSTEM
) -> None:
    """Set a new, unconfirmed mobile number after an identity check.

    Every session ends and no browser stays trusted; the next login sends its code to the
    new number, which confirms it (see ``mfa.sms.actions.verify_code``).
    """
    _check_tenant(actor, user)
    _not_self(actor, user)
    old_phone = user.phone
    user.phone = new_phone
    user.phone_verified_at = None
    user.save(update_fields=["phone", "phone_verified_at"])
    now = timezone.now()
    SmsChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    sessions = end_sessions(user)
    TrustedDevice.objects.filter(user=user).delete()
    record(
        Event.SUPPORT_PHONE_RESET,
        origin=origin,
        actor=actor,
        subject=user,
        data={
            "reason": reason,
            "old_ending": old_phone[-2:],
            "new_ending": new_phone[-2:],
            "sessions": sessions,
        },
    )
    _notify(user, "support_phone_reset", ending=new_phone[-2:])


@transaction.atomic
def reset_factors(user: User, *, actor: User, reason: str, origin: Origin = SYSTEM) -> None:
    """Remove every authenticator app, security key and backup code; SMS remains."""
    _check_tenant(actor, user)
    _not_self(actor, user)
    apps, _ = TotpDevice.objects.filter(user=user).delete()
    keys, _ = WebAuthnCredential.objects.filter(user=user).delete()
    codes, _ = BackupCode.objects.filter(user=user).delete()
    TrustedDevice.objects.filter(user=user).delete()
    if user.preferred_method != SecondFactor.SMS:
        user.preferred_method = SecondFactor.SMS
        user.save(update_fields=["preferred_method"])
    sessions = end_sessions(user)
    record(
        Event.SUPPORT_FACTORS_RESET,
        origin=origin,
        actor=actor,
        subject=user,
        data={
            "reason": reason,
            "apps": apps,
            "security_keys": keys,
            "backup_codes": codes,
            "sessions": sessions,
        },
    )
    _notify(user, "support_factors_reset")


@transaction.atomic
def end_all_sessions(user: User, *, actor: User, reason: str, origin: Origin = SYSTEM) -> int:
    """Log the user out everywhere and stop trusting their browsers."""
    _check_tenant(actor, user)
    sessions = end_sessions(user)
    TrustedDevice.objects.filter(user=user).delete()
    record(
        Event.SUPPORT_SESSIONS_ENDED,
        origin=origin,
        actor=actor,
        subject=user,
        data={"reason": reason, "sessions": sessions},
    )
    _notify(user, "support_sessions_ended")
    return sessions


@transaction.atomic
def deactivate(user: User, *, actor: User, reason: str, origin: Origin = SYSTEM) -> None:
    """The account can no longer log in; its sessions end at once."""
    _check_tenant(actor, user)
    _not_self(actor, user)
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        raise NotApplicable()
    user.is_active = False
    sessions = end_sessions(user)
    TrustedDevice.objects.filter(user=user).delete()
    record(
        Event.ACCOUNT_DEACTIVATED,
        origin=origin,
        actor=actor,
        subject=user,
        data={"reason": reason, "sessions": sessions},
    )
    _notify(user, "support_deactivated")


def log_error_lookup(
    actor: User, reference: str, report: ErrorReport | None, *, origin: Origin = SYSTEM
) -> None:
    record(
        Event.SUPPORT_ERROR_LOOKUP,
        origin=origin,
        actor=actor,
        subject=report_user(actor, report),
        tenant=actor.tenant,
        data={"reference": reference, "found": report is not None},
    )


def log_audit_export(
    actor: User, filters: dict[str, Any], rows: int, *, origin: Origin = SYSTEM
) -> AuditEvent:
    return record(
        Event.SUPPORT_AUDIT_EXPORT,
        origin=origin,
        actor=actor,
        tenant=actor.tenant,
        data={
            "filters": {k: str(v) for k, v in filters.items() if v},
            "rows": rows,
        },
    )
