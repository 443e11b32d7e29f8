"""Adding, checking and removing authenticator apps (TOTP)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from verzuim.accounts.actions import register_second_step_failure
from verzuim.accounts.models import SecondFactor, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin
from verzuim.mfa import methods
from verzuim.mfa.changes import record_security_change
from verzuim.mfa.exceptions import CodeInvalid, CodeOutOfTime
from verzuim.mfa.totp import rules, sealing
from verzuim.mfa.totp.models import TotpDevice

# An unconfirmed app older than this is replaced by a new secret on the next visit.
SETUP_MAX_AGE = timedelta(hours=1)
NAME_MAX_LENGTH = 60

logger = logging.getLogger(__name__)


class TotpNotAllowed(Exception):
    """The user's organisation does not allow authenticator apps."""


class SetupExpired(Exception):
    """The app being confirmed was replaced by a newer setup or confirmed already."""


class LastFactorError(Exception):
    """The last second factor can never be removed."""


def confirmed_devices(user: User) -> QuerySet[TotpDevice]:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False)


def pending_device(user: User, pk: int | None = None) -> TotpDevice | None:
    """The user's unconfirmed app (the one with ``pk``, when given)."""
    devices = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True)
    if pk is not None:
        devices = devices.filter(pk=pk)
    return devices.order_by("-created_at").first()


def default_name(user: User) -> str:
    """The name "Authenticator app", numbered from the second app on so the list stays clear."""
    label = str(methods.LABELS[SecondFactor.TOTP])
    count = confirmed_devices(user).count()
    return label if count == 0 else f"{label} {count + 1}"


def clean_name(user: User, name: str) -> str:
    return " ".join((name or "").split())[:NAME_MAX_LENGTH] or default_name(user)


def _lock(user: User) -> None:
    """Serialise changes to one user's factors (a no-op on SQLite, which has one writer)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _check_allowed(user: User) -> None:
    if not user.tenant.allows(SecondFactor.TOTP):
        raise TotpNotAllowed()


@transaction.atomic
def start_totp_setup(user: User) -> TotpDevice:
    """A new unconfirmed app with a fresh secret; replaces an older unconfirmed one."""
    _check_allowed(user)
    _lock(user)
    TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
    device = TotpDevice(user=user, name=default_name(user))
    device.secret = rules.new_secret()
    device.save()
    return device


@transaction.atomic
def resume_totp_setup(user: User) -> TotpDevice:
    """The app the user is setting up (a page reload shows the same QR code), or a new one."""
    _check_allowed(user)
    _lock(user)
    device = pending_device(user)
    if device is not None and device.created_at > timezone.now() - SETUP_MAX_AGE:
        return device
    return start_totp_setup(user)


def confirm_totp_device(
    device: TotpDevice, code: str, *, name: str, origin: Origin = SYSTEM
) -> None:
    """The first right code confirms the app; from then on it counts as a second factor.

    Raises CodeInvalid (not counted towards blocking: the user is logged in and has just
    checked a second factor), SetupExpired or TotpNotAllowed.
    """
    user = device.user
    _check_allowed(user)
    now = timezone.now()
    step = rules.matching_step(
        device.secret, code, now, device.last_used_step, window=rules.WINDOW
    )
    if step is None:
        raise CodeInvalid()
    _confirm(device, step, now, name=clean_name(user, name), origin=origin)


@transaction.atomic
def _confirm(device: TotpDevice, step: int, now: datetime, *, name: str, origin: Origin) -> None:
    # Conditional: a replaced (deleted) or already confirmed setup does not confirm twice.
    if not TotpDevice.objects.filter(pk=device.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, last_used_step=step, last_used_at=now, name=name
    ):
        raise SetupExpired()
    device.confirmed_at, device.last_used_step, device.last_used_at = now, step, now
    device.name = name
    # The default method stays as it is: the settings page lets the user choose.
    record_security_change(device.user, Event.TOTP_ADDED, origin=origin, data={"name": name})


def verify_totp_code(user: User, code: str, origin: Origin) -> TotpDevice:
    """Accept a code from one of the user's apps once; returns the app it came from.

    Raises CodeInvalid after counting the failure (AccountBlocked once there are too many),
    or CodeOutOfTime, uncounted, for the code of a neighbouring time step.
    """
    device = _burn_matching_step(user, code, origin)
    if device is None:
        now = timezone.now()
        if user.tenant.allows(SecondFactor.TOTP) and any(
            rules.near_miss(secret, code, now, d.last_used_step)
            for d, secret in _openable(user)
        ):
            raise CodeOutOfTime()
        register_second_step_failure(user, origin, method=SecondFactor.TOTP)
        raise CodeInvalid()
    return device


def _openable(user: User) -> list[tuple[TotpDevice, str]]:
    """The user's confirmed apps with their secrets. An app whose secret no key opens (the
    secret key was replaced without keeping the old one as a fallback) is left out: it can
    match no code, and operators are told."""
    found = []
    for device in confirmed_devices(user):
        try:
            found.append((device, device.secret))
        except sealing.SecretUnavailable:
            logger.error("Authenticator app %s of user %s cannot be opened", device.pk, user.pk)
    return found


@transaction.atomic
def _burn_matching_step(user: User, code: str, origin: Origin) -> TotpDevice | None:
    if not user.tenant.allows(SecondFactor.TOTP):
        return None
    now = timezone.now()
    for device, secret in _openable(user):
        step = rules.matching_step(secret, code, now, device.last_used_step)
        if step is None:
            continue
        # Two requests with the same code may both match; only one update can move the
        # last used step past it. A secret sealed under a previous key is re-sealed.
        changes: dict[str, object] = {"last_used_step": step, "last_used_at": now}
        if not sealing.is_current(device.sealed_secret):
            changes["sealed_secret"] = sealing.seal(secret)
        if TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(**changes):
            device.last_used_step, device.last_used_at = step, now
            record(
                Event.SECOND_FACTOR_OK,
                origin=origin,
                subject=user,
                data={"method": SecondFactor.TOTP.value, "device": device.pk},
            )
            return device
    return None


@transaction.atomic
def remove_totp_device(device: TotpDevice, *, actor: User, origin: Origin = SYSTEM) -> None:
    """Remove an app. Raises LastFactorError when it is the user's last second factor."""
    user = device.user
    _lock(user)
    if device.confirmed_at is None:
        # A setup that was never finished is no factor: nothing to check or announce.
        TotpDevice.objects.filter(pk=device.pk).delete()
        return
    # An app counts as a factor only while the organisation allows apps.
    if user.tenant.allows(SecondFactor.TOTP) and not methods.can_remove_factor(user):
        raise LastFactorError()
    name = device.name
    TotpDevice.objects.filter(pk=device.pk).delete()
    if user.preferred_method == SecondFactor.TOTP and not confirmed_devices(user).exists():
        User.objects.filter(pk=user.pk).update(preferred_method=SecondFactor.SMS)
        user.preferred_method = SecondFactor.SMS
    record_security_change(
        user, Event.TOTP_REMOVED, origin=origin, actor=actor, data={"name": name}
    )
