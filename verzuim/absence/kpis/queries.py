"""The database aggregations behind the figures (read-only).

Every figure is a handful of ``SUM``/``COUNT`` queries over integer day numbers
(``Employment.start_ord/end_ord``, ``AbsenceSegment.start_ord/end_ord``; end exclusive, an
open end is ``OPEN_END``), grouped by (employer, department of the employment record). No
Python loop over days or people. The overlap of intervals is ``LEAST(ends) - GREATEST(starts)``,
clipped at 0 with ``GREATEST(0, …)``. None of these columns is nullable and the period
bounds are parameters, so the NULL handling that differs between PostgreSQL (``GREATEST``
skips NULLs) and SQLite (``MAX(NULL, …)`` is NULL) never comes into play; sums over no rows
are NULL on both and read as 0.

The user's scope (``scope.employee_filter``) is part of every query's WHERE clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least

from verzuim.absence.kpis.periods import Period
from verzuim.absence.models import AbsenceSegment, Employment, SickReport
from verzuim.absence.scope import employee_filter

#: A group: (employer id, department id of the employment record or None).
Key = tuple[int, int | None]

#: Duration classes (SPEC §9) as (key, shortest, longest) in calendar days.
DURATION_CLASSES: tuple[tuple[str, int, int | None], ...] = (
    ("short", 1, 14),
    ("medium", 15, 91),
    ("long", 92, 365),
    ("extra_long", 366, 730),
    ("beyond", 731, None),
)

SEG = "employee__absence_segments__"
EMP = "employee__employments__"


@dataclass(frozen=True)
class Selection:
    """What to count: the user's scope, narrowed to one employer and/or a set of
    departments (already expanded with their sub-departments)."""

    user: Any
    employer_id: int | None = None
    department_ids: frozenset[int] | None = None


def _employment_q(sel: Selection) -> Q:
    """Scope and filters on Employment rows."""
    q = employee_filter(sel.user, prefix="employee__")
    if sel.employer_id is not None:
        q &= Q(employee__employer_id=sel.employer_id)
    if sel.department_ids is not None:
        q &= Q(department_id__in=sel.department_ids)
    return q


class DaysBetween(Func):
    """``DaysBetween(end, start)``: whole days from ``start`` to ``end``, natively on both
    databases (Django's portable date subtraction yields an interval/microseconds and is
    slow on SQLite, where it runs as a Python function per row)."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )


def _overlap(starts: Sequence[Any], ends: Sequence[Any]) -> Expression:
    """Days in the intersection of half-open intervals, at least 0."""
    return Greatest(
        Value(0),
        Least(*ends, output_field=IntegerField()) - Greatest(*starts, output_field=IntegerField()),
        output_field=IntegerField(),
    )


def _hull(periods: Sequence[Period]) -> tuple[int, int]:
    return min(p.start_ord for p in periods), max(p.end_ord for p in periods)


def available_days(sel: Selection, periods: Sequence[Period]) -> dict[Key, list[tuple[float, int]]]:
    """Per group and period: (Σ employed days × part-time factor, Σ employed days)."""
    lo, hi = _hull(periods)
    aggregates: dict[str, Any] = {}
    for i, p in enumerate(periods):
        days = _overlap([F("start_ord"), Value(p.start_ord)], [F("end_ord"), Value(p.end_ord)])
        aggregates[f"w{i}"] = Sum(
            ExpressionWrapper(days * F("parttime_factor"), output_field=FloatField())
        )
        aggregates[f"d{i}"] = Sum(days)
    rows = (
        Employment.objects.filter(_employment_q(sel), start_ord__lt=hi, end_ord__gt=lo)
        .values("employee__employer_id", "department_id")
        .annotate(**aggregates)
        .order_by()
    )
    return {
        (r["employee__employer_id"], r["department_id"]): [
            (r[f"w{i}"] or 0.0, r[f"d{i}"] or 0) for i in range(len(periods))
        ]
        for r in rows
    }


def sick_days(sel: Selection, periods: Sequence[Period]) -> dict[Key, list[float]]:
    """Per group and period: Σ sick days × part-time factor × incapacity fraction.

    Each absence segment is joined to the employment records of the same employee; a day
    counts once, in the employment record covering it (its factor and department)."""
    lo, hi = _hull(periods)
    aggregates: dict[str, Any] = {}
    for i, p in enumerate(periods):
        days = _overlap(
            [F("start_ord"), F(f"{SEG}start_ord"), Value(p.start_ord)],
            [F("end_ord"), F(f"{SEG}end_ord"), Value(p.end_ord)],
        )
        aggregates[f"s{i}"] = Sum(
            ExpressionWrapper(
                days * F("parttime_factor") * F(f"{SEG}fraction"), output_field=FloatField()
            )
        )
    # One filter() call: every condition on the segments uses the same join.
    joined = (
        _employment_q(sel)
        & Q(start_ord__lt=hi, end_ord__gt=lo)
        & Q(**{f"{SEG}start_ord__lt": hi, f"{SEG}end_ord__gt": lo})
        & Q(**{f"{SEG}start_ord__lt": F("end_ord")})
        & Q(**{f"{SEG}end_ord__gt": F("start_ord")})
    )
    rows = (
        Employment.objects.filter(joined)
        .values("employee__employer_id", "department_id")
        .annotate(**aggregates)
        .order_by()
    )
    return {
        (r["employee__employer_id"], r["department_id"]): [
            r[f"s{i}"] or 0.0 for i in range(len(periods))
        ]
        for r in rows
    }


def report_counts(sel: Selection, period: Period) -> dict[Key, dict[str, int]]:
    """Per group: new reports (first sick day in the period), reports that ended (recovery
    date in the period), their total length and the duration classes. Withdrawn reports
    are ignored; the group is the employment record covering the first sick day."""
    in_period = (period.start, period.end)
    started = Q(first_sick_day__range=in_period)
    ended = Q(recovery_date__range=in_period)
    scope = employee_filter(sel.user, prefix="employee__")
    if sel.employer_id is not None:
        scope &= Q(employee__employer_id=sel.employer_id)
    covering = Q(**{f"{EMP}start_date__lte": F("first_sick_day")}) & (
        Q(**{f"{EMP}end_date__gte": F("first_sick_day")}) | Q(**{f"{EMP}end_date__isnull": True})
    )
    if sel.department_ids is not None:
        covering &= Q(**{f"{EMP}department_id__in": sel.department_ids})
    # Calendar days from the first sick day to the recovery date (the first day fit).
    length = DaysBetween(F("recovery_date"), F("first_sick_day"))
    aggregates: dict[str, Any] = {
        "new": Count("pk", filter=started),
        "ended": Count("pk", filter=ended),
        "ended_days": Sum("length", filter=ended),
    }
    for key, low, high in DURATION_CLASSES:
        bounds = Q(length__gte=low) if high is None else Q(length__range=(low, high))
        aggregates[key] = Count("pk", filter=ended & bounds)
    rows = (
        SickReport.objects.filter(scope & covering & Q(withdrawn=False) & (started | ended))
        .annotate(length=length)
        .values("employee__employer_id", f"{EMP}department_id")
        .annotate(**aggregates)
        .order_by()
    )
    names = ["new", "ended", "ended_days"] + [key for key, _, _ in DURATION_CLASSES]
    return {
        (r["employee__employer_id"], r[f"{EMP}department_id"]): {n: r[n] or 0 for n in names}
        for r in rows
    }


def zero_absence(sel: Selection, period: Period) -> dict[Key, tuple[int, int]]:
    """Per group: (employees employed the whole period, of whom without any sick day in
    it). The group is the employment record covering the period's last day; "the whole
    period" adds up all the employee's records, so a department move does not break it."""
    last = period.end_ord - 1
    days = Sum(
        Least(F("end_ord"), Value(period.end_ord))
        - Greatest(F("start_ord"), Value(period.start_ord))
    )
    # Employees whose records together cover every day of the period (records of one
    # employee do not overlap): one uncorrelated GROUP BY … HAVING subquery.
    whole_period = (
        Employment.objects.filter(start_ord__lt=period.end_ord, end_ord__gt=period.start_ord)
        .order_by()
        .values("employee_id")
        .annotate(days=days)
        .filter(days=period.days)
        .values("employee_id")
    )
    # Segments exist only for reports that were not withdrawn (history.segment_rows).
    sick = AbsenceSegment.objects.filter(
        employee_id=OuterRef("employee_id"),
        start_ord__lt=period.end_ord,
        end_ord__gt=period.start_ord,
    )
    rows = (
        Employment.objects.filter(
            _employment_q(sel),
            start_ord__lte=last,
            end_ord__gt=last,
            employee_id__in=whole_period,
        )
        .annotate(sick=Exists(sick))
        .values("employee__employer_id", "department_id")
        .annotate(whole=Count("pk"), zero=Count("pk", filter=Q(sick=False)))
        .order_by()
    )
    return {(r["employee__employer_id"], r["department_id"]): (r["whole"], r["zero"]) for r in rows}


def merge_keys(*maps: dict[Key, Any]) -> list[Key]:
    keys: set[Key] = set()
    for m in maps:
        keys |= set(m)
    return sorted(keys, key=lambda k: (k[0], k[1] is None, k[1] or 0))
