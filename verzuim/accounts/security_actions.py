"""Changes a user makes on Instellingen → Beveiliging. Each is atomic and audited, and
each (through record_security_change) revokes trusted browsers and e-mails the user."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verzuim.accounts.models import SecondFactor, TrustedDevice, User, UserSession
from verzuim.accounts.sessions import end_sessions
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import Origin
from verzuim.messaging.actions import queue_sms
from verzuim.mfa import methods
from verzuim.mfa.changes import record_security_change


def session_handle(session_key: str) -> str:
    """A public name for a session: the key itself is a secret and never shown."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:20]


@transaction.atomic
def change_password(user: User, new_password: str, *, origin: Origin, keep_session_key: str) -> int:
    """Set a new password and end every other session of the user; returns how many ended."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = end_sessions(user, keep_session_key=keep_session_key)
    record_security_change(user, Event.PASSWORD_CHANGED, origin=origin,
                           data={"other_sessions_ended": ended})
    return ended


@transaction.atomic
def change_phone(user: User, new_phone: str, *, origin: Origin) -> None:
    """Replace the mobile number (already confirmed by an SMS code to the new number).

    The old number gets a warning SMS and the user an e-mail, so a takeover is noticed.
    """
    old_phone = user.phone
    user.phone = new_phone
    user.phone_verified_at = timezone.now()
    user.save(update_fields=["phone", "phone_verified_at"])
    if old_phone and old_phone != new_phone:
        body = _(
            "%(portal)s: the mobile number of your account has just been changed. "
            "Not you? Contact %(support)s at once."
        ) % {"portal": user.tenant.name, "support": user.tenant.support_email}
        queue_sms(tenant=user.tenant, to=old_phone, body=body)
    record_security_change(user, Event.PHONE_CHANGED, origin=origin,
                           data={"old_ending": old_phone[-2:], "new_ending": new_phone[-2:]})


class MethodNotAvailable(Exception):
    """The chosen default second factor is not one the user has."""


@transaction.atomic
def set_default_method(user: User, method: str, *, origin: Origin) -> None:
    if method not in SecondFactor.values or not methods.has_method(user, method):
        raise MethodNotAvailable(method)
    if user.preferred_method == method:
        return
    user.preferred_method = method
    user.save(update_fields=["preferred_method"])
    record_security_change(user, Event.DEFAULT_METHOD_CHANGED, origin=origin,
                           data={"method": method}, end_other_sessions=False)


def end_session(user: User, handle: str, *, origin: Origin, current_key: str) -> bool:
    """End one of the user's own sessions (not the current one) by its public handle."""
    for session in UserSession.objects.filter(user=user).only("session_key"):
        if session.session_key != current_key and session_handle(session.session_key) == handle:
            session.delete()
            record(Event.SESSION_ENDED, origin=origin, actor=user, subject=user)
            return True
    return False


def end_other_sessions(user: User, *, origin: Origin, current_key: str) -> int:
    count = end_sessions(user, keep_session_key=current_key)
    record(Event.SESSION_ENDED, origin=origin, actor=user, subject=user,
           data={"sessions": count})
    return count


def revoke_trusted_devices(user: User, *, origin: Origin) -> int:
    count, _ = TrustedDevice.objects.filter(user=user).delete()
    record(Event.TRUSTED_DEVICES_REVOKED, origin=origin, actor=user, subject=user,
           data={"count": count})
    return count
