"""Computed dashboards, kept in the shared cache until the tenant's sick-leave data changes.

Every dashboard is several aggregates over all employment records and sick-report
segments in scope: a few hundred milliseconds for 10,000 employees, the same answer for
every user with the same scope until something is reported. So a computed dashboard is
kept under a key made of

* the tenant's *data generation*, a counter that every write to the data behind the
  figures raises (reports, recoveries, corrections, imports, the retention purge, saves of
  employees, employment, departments and access rows): after a change the old entries are
  simply never asked for again;
* what the user may see (their access rows, or their own team as a manager), the filter
  and the period, and today's date (figures up to today grow every day).

Entries also expire after ``FIGURES_CACHE_SECONDS`` (default 300) as a safety net for a
write that forgot to raise the generation. 0 (the test settings) turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: How long others wait for the one computing a dashboard (then they compute themselves).
LOCK_SECONDS = 10
WAIT_STEP_SECONDS = 0.05


def _seconds() -> int:
    return int(getattr(settings, "FIGURES_CACHE_SECONDS", 300))


def _generation_key(tenant_id: int) -> str:
    return f"absence:figures-generation:{tenant_id}"


def generation(tenant_id: int) -> int:
    """The tenant's current data generation (started from the clock, so a lost counter
    never brings back old entries)."""
    key = _generation_key(tenant_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, int(time.time() * 1000), None)
        value = cache.get(key, 0)
    return int(value)


def changed(tenant_id: int | None) -> None:
    """Raise the generation once the current transaction commits (raised earlier, another
    request could compute and keep figures from the data before the change)."""
    if tenant_id is None or _seconds() <= 0:
        return
    transaction.on_commit(lambda: bump(tenant_id))


def bump(tenant_id: int | None) -> None:
    """The tenant's sick-leave data changed: computed figures are out of date."""
    if tenant_id is None or _seconds() <= 0:
        return
    key = _generation_key(tenant_id)
    try:
        cache.incr(key)
    except ValueError:  # not there (yet, or evicted): any new value will do
        cache.set(key, int(time.time() * 1000), None)
    except Exception:  # the cache is down: entries expire on their own
        logger.warning("could not raise the figures generation", exc_info=True)


def scope_signature(user: Any) -> str:
    """What ``user`` may see, as a short string: equal for users who see the same."""
    from verzuim.absence.scope import SCOPE_ROLES
    from verzuim.accounts.models import Role

    parts: list[str] = [f"t{user.tenant_id}"]
    if any(user.has_role(r) for r in SCOPE_ROLES):
        rows = sorted(
            user.absence_scopes.values_list("employer_id", "department_id"),
            key=lambda r: (r[0], r[1] or 0),
        )
        parts.append("s" + ",".join(f"{e}:{d or ''}" for e, d in rows))
    if user.has_role(Role.MANAGER):
        parts.append(f"m{user.pk}")
    return "|".join(parts)


def connect_signals() -> None:
    """Saves through the models (admin, actions) of the data behind the figures."""
    from django.db.models.signals import post_delete, post_save

    from verzuim.absence.models import Department, Employee, Employment

    def employer_tenant(instance: Any) -> int | None:
        if _seconds() <= 0:
            return None
        from verzuim.absence.models import Employer

        if isinstance(instance, Employment):
            employer_id = Employee.objects.filter(pk=instance.employee_id).values_list(
                "employer_id", flat=True
            ).first()
        else:
            employer_id = instance.employer_id
        if employer_id is None:
            return None
        return Employer.objects.filter(pk=employer_id).values_list("tenant_id", flat=True).first()

    def on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
        changed(employer_tenant(instance))

    for model in (Department, Employee, Employment):
        post_save.connect(on_change, sender=model, weak=False, dispatch_uid=f"figures-{model}")
        post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=f"figures-d-{model}")


def remembered(user: Any, what: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or its earlier result for the same scope, ``what`` and data."""
    seconds = _seconds()
    if seconds <= 0:
        return compute()
    try:
        signature = scope_signature(user)
        raw = repr((signature, what, timezone.localdate().isoformat()))
        key = (
            f"absence:figures:{user.tenant_id}:{generation(user.tenant_id)}:"
            + hashlib.sha256(raw.encode()).hexdigest()
        )
        found = cache.get(key)
    except Exception:
        logger.warning("figures cache unavailable", exc_info=True)
        return compute()
    if found is not None:
        return found  # type: ignore[no-any-return]
    # One process computes; the others asking the same meanwhile wait for its result
    # instead of all computing at once (many users open the dashboard at 9 o'clock).
    lock = f"{key}:computing"
    try:
        computing_here = cache.add(lock, 1, LOCK_SECONDS)
    except Exception:
        computing_here = True
    if not computing_here:
        deadline = time.monotonic() + LOCK_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            found = cache.get(key)
            if found is not None:
                return found  # type: ignore[no-any-return]
            if cache.get(lock) is None:  # the other one gave up: compute here
                break
    try:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.warning("could not keep computed figures", exc_info=True)
        return value
    finally:
        if computing_here:
            try:
                cache.delete(lock)
            except Exception:
                logger.warning("could not release the figures lock", exc_info=True)
