"""Failed-login counters in the database, shared by every app process.

Each attempt is *reserved* before any hashing: in one transaction the counter rows are
locked, a running wait refuses the attempt, and otherwise the attempt is counted as a
failure up front. A right password then gives the reservation back. So parallel requests
cannot slip more guesses through than the rules allow.
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from verzuim.accounts.exceptions import TooManyAttempts
from verzuim.accounts.models import Throttle
from verzuim.accounts.throttle_rules import (
    ACCOUNT_POLICY,
    ADDRESS_POLICY,
    effective_failures,
    wait_after,
)

POLICIES = {Throttle.Scope.ACCOUNT: ACCOUNT_POLICY, Throttle.Scope.ADDRESS: ADDRESS_POLICY}


def normalise_login_name(login_name: str) -> str:
    """One spelling per name: NFKC, then upper- and case-folded.

    Upper-casing first maps letters such as the dotless ı onto I, as the database's
    case-insensitive comparison does, so no variant gets a fresh counter.
    """
    return unicodedata.normalize("NFKC", login_name.strip()).upper().casefold()


def account_key(tenant_id: int, login_name: str) -> str:
    """Known and unknown names are counted alike, so throttling reveals nothing."""
    normalised = f"{tenant_id}:{normalise_login_name(login_name)}"
    return hashlib.sha256(normalised.encode()).hexdigest()


def address_key(ip: str | None) -> str:
    """IPv6 clients usually own a whole /64, so that is counted as one address."""
    if not ip:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(address)


def login_keys(
    tenant_id: int, login_name: str, ip: str | None, device: str | None = None
) -> list[tuple[str, str]]:
    """The counters one login attempt touches.

    ``device``: a nonce from the user's known-device cookie. Such a browser gets its own
    account counter, so an attacker's failures never keep the owner out (no lockout).
    """
    key = account_key(tenant_id, login_name)
    if device:
        key = hashlib.sha256(f"{key}:{device}".encode()).hexdigest()
    return [(Throttle.Scope.ACCOUNT, key), (Throttle.Scope.ADDRESS, address_key(ip))]


def _keys_filter(keys: list[tuple[str, str]]) -> Q:
    query = Q(pk__in=[])
    for scope, key in keys:
        query |= Q(scope=scope, key=key)
    return query


@dataclass(frozen=True)
class Reservation:
    keys: list[tuple[str, str]]
    wait: int  # seconds the next attempt must wait if this one fails


def reserve(keys: list[tuple[str, str]]) -> Reservation:
    """Count this attempt as a failure before checking the password.

    Raises TooManyAttempts (with ``first_refusal`` set on the first refusal of a wait,
    so callers can audit once per wait instead of once per request).
    """
    created = timezone.now()
    Throttle.objects.bulk_create(
        [
            Throttle(scope=s, key=k, failures=0, last_failure_at=created, blocked_until=created)
            for s, k in keys
        ],
        ignore_conflicts=True,
    )
    refusal: TooManyAttempts | None = None
    with transaction.atomic():
        rows = list(Throttle.objects.select_for_update().filter(_keys_filter(keys)).order_by("pk"))
        # The time is read after the lock: a parallel attempt that held the lock may have
        # written its own (later) time as the end of a zero wait, which must not count as
        # a wait for this attempt.
        now = timezone.now()
        waiting = [r for r in rows if r.blocked_until > now]
        if waiting:
            first = Throttle.objects.filter(
                pk__in=[r.pk for r in waiting], refusal_audited=False
            ).update(refusal_audited=True)
            refusal = TooManyAttempts(
                int(max((r.blocked_until - now).total_seconds() for r in waiting)) + 1
            )
            refusal.first_refusal = bool(first)
            rows = []  # nothing is counted for a refused attempt
        longest = 0
        for row in rows:
            policy = POLICIES[Throttle.Scope(row.scope)]
            since = (now - row.last_failure_at).total_seconds()
            failures = effective_failures(row.failures, since, policy) + 1
            wait = wait_after(failures, policy)
            Throttle.objects.filter(pk=row.pk).update(
                failures=failures,
                last_failure_at=now,
                blocked_until=now + timedelta(seconds=wait),
                refusal_audited=False,
            )
            longest = max(longest, wait)
    if refusal is not None:
        raise refusal  # outside the transaction, so the audit flag above is kept
    return Reservation(keys=keys, wait=longest)


def release(reservation: Reservation) -> None:
    """The password was right: forget the account counter, give the address its try back."""
    account = [k for k in reservation.keys if k[0] == Throttle.Scope.ACCOUNT]
    address = [k for k in reservation.keys if k[0] == Throttle.Scope.ADDRESS]
    with transaction.atomic():
        Throttle.objects.filter(_keys_filter(account)).delete()
        for row in Throttle.objects.select_for_update().filter(_keys_filter(address)):
            failures = max(row.failures - 1, 0)
            wait = wait_after(failures, ADDRESS_POLICY) if failures else 0
            Throttle.objects.filter(pk=row.pk).update(
                failures=failures,
                blocked_until=min(row.blocked_until, row.last_failure_at + timedelta(seconds=wait)),
            )
