"""Read-only queries of the support desk, always scoped to the support user's tenant."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.accounts.models import User
from verzuim.accounts.phone import normalise_mobile
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.models import ErrorReport

MAX_RESULTS = 50
MIN_PHONE_DIGITS = 3

STATUS_ACTIVE = "active"
STATUS_BLOCKED = "blocked"
STATUS_NOT_ACTIVATED = "not_activated"
STATUS_DEACTIVATED = "deactivated"
STATUS_LABELS = {
    STATUS_ACTIVE: _("active"),
    STATUS_BLOCKED: _("blocked"),
    STATUS_NOT_ACTIVATED: _("not yet activated"),
    STATUS_DEACTIVATED: _("deactivated"),
}
LOGIN_EVENTS = [
    Event.LOGIN_SUCCEEDED,
    Event.LOGIN_PASSWORD_FAILED,
    Event.LOGIN_BLOCKED_ACCOUNT,
    Event.LOGIN_THROTTLED,
    Event.SECOND_FACTOR_FAILED,
]


def account_status(user: User) -> str:
    if not user.is_active:
        return STATUS_DEACTIVATED
    if user.is_blocked:
        return STATUS_BLOCKED
    if user.activated_at is None:
        return STATUS_NOT_ACTIVATED
    return STATUS_ACTIVE


def status_label(user: User) -> str:
    return str(STATUS_LABELS[account_status(user)])


def tenant_users(support: User) -> QuerySet[User]:
    return User.objects.for_tenant(support.tenant_id)


def user_for_support(support: User, pk: int) -> User:
    """The user ``pk`` of the support user's own tenant; 404 for anyone else's."""
    return get_object_or_404(tenant_users(support).select_related("tenant"), pk=pk)


def _phone_terms(query: str) -> list[str]:
    """Digits to look for in stored E.164 numbers, however the number was typed."""
    terms = []
    try:
        terms.append(normalise_mobile(query))
    except ValidationError:
        pass
    digits = re.sub(r"\D", "", query)
    if len(digits) >= MIN_PHONE_DIGITS:
        terms.append(digits)
        if digits.startswith("00"):
            terms.append(digits[2:])
        elif digits.startswith("0"):
            terms.append("31" + digits[1:])
    return terms


def search_users(support: User, query: str) -> list[User]:
    """Users of the support user's tenant matching login name, name, e-mail or phone."""
    query = " ".join((query or "").split())
    if not query:
        return []
    condition = (
        Q(username__icontains=query)
        | Q(email__icontains=query)
        | Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
    )
    parts = query.split(" ")
    if len(parts) > 1:
        condition |= Q(first_name__icontains=parts[0], last_name__icontains=" ".join(parts[1:]))
    for term in _phone_terms(query):
        condition |= Q(phone__contains=term)
    return list(tenant_users(support).filter(condition).order_by("username")[:MAX_RESULTS])


def user_events(user: User, *, login: bool, limit: int = 10) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_tenant(user.tenant_id).filter(subject=user)
    events = events.filter(event__in=LOGIN_EVENTS) if login else events
    return events.select_related("actor")[:limit]


def find_error(support: User, reference: str) -> ErrorReport | None:
    """The newest error report with this (normalised) code, of the support user's tenant."""
    return (
        ErrorReport.objects.filter(tenant_id=support.tenant_id, reference=reference)
        .select_related("user")
        .order_by("-created")
        .first()
    )


def report_user(support: User, report: ErrorReport | None) -> User | None:
    """The user who saw the error, only when they belong to the support user's tenant."""
    if report is None or report.user is None or report.user.tenant_id != support.tenant_id:
        return None
    return report.user


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(support: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The tenant's audit log, filtered by user, event type and period (both days included)."""
    events = AuditEvent.objects.for_tenant(support.tenant_id).select_related("actor", "subject")
    who = (filters.get("user") or "").strip()
    if who:
        events = events.filter(
            Q(subject__username__icontains=who)
            | Q(actor__username__icontains=who)
            | Q(login_name__icontains=who)
        )
    if filters.get("event"):
        events = events.filter(event=filters["event"])
    if filters.get("date_from"):
        events = events.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(at__lt=_day_start(filters["date_to"]) + timedelta(days=1))
    return events.order_by("-at", "-id")
