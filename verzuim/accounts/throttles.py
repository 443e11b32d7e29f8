"""Failed-login counters in the database, shared by every app process."""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from verzuim.accounts.exceptions import TooManyAttempts
from verzuim.accounts.models import Throttle
from verzuim.accounts.throttle_rules import (
    ACCOUNT_POLICY,
    ADDRESS_POLICY,
    ThrottlePolicy,
    effective_failures,
    wait_after,
)

POLICIES = {Throttle.Scope.ACCOUNT: ACCOUNT_POLICY, Throttle.Scope.ADDRESS: ADDRESS_POLICY}


def account_key(tenant_id: int, login_name: str) -> str:
    """Known and unknown names are counted alike, so throttling reveals nothing."""
    normalised = f"{tenant_id}:{login_name.strip().casefold()}"
    return hashlib.sha256(normalised.encode()).hexdigest()


def address_key(ip: str | None) -> str:
    """IPv6 clients usually own a whole /64, so that is counted as one address."""
    if not ip:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(address)


def login_keys(tenant_id: int, login_name: str, ip: str | None) -> list[tuple[str, str]]:
    return [
        (Throttle.Scope.ACCOUNT, account_key(tenant_id, login_name)),
        (Throttle.Scope.ADDRESS, address_key(ip)),
    ]


def check(keys: list[tuple[str, str]]) -> None:
    """Raise TooManyAttempts while any key must still wait. Call before hashing anything."""
    now = timezone.now()
    waits = [
        (t.blocked_until - now).total_seconds()
        for t in Throttle.objects.filter(blocked_until__gt=now).filter(_keys_filter(keys))
    ]
    if waits:
        raise TooManyAttempts(int(max(waits)) + 1)


def _keys_filter(keys: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    query = Q(pk__in=[])
    for scope, key in keys:
        query |= Q(scope=scope, key=key)
    return query


def register_failure(keys: list[tuple[str, str]]) -> int:
    """Count one failure on every key; return the longest wait now in force (seconds)."""
    now = timezone.now()
    longest = 0
    with transaction.atomic():
        for scope, key in keys:
            policy: ThrottlePolicy = POLICIES[Throttle.Scope(scope)]
            row, created = Throttle.objects.select_for_update().get_or_create(
                scope=scope,
                key=key,
                defaults={"failures": 0, "last_failure_at": now, "blocked_until": now},
            )
            since = 0.0 if created else (now - row.last_failure_at).total_seconds()
            failures = effective_failures(row.failures, since, policy) + 1
            wait = wait_after(failures, policy)
            Throttle.objects.filter(pk=row.pk).update(
                failures=failures,
                last_failure_at=now,
                blocked_until=now + timedelta(seconds=wait),
            )
            longest = max(longest, wait)
    return longest


def reset(keys: list[tuple[str, str]]) -> None:
    Throttle.objects.filter(_keys_filter(keys)).delete()
