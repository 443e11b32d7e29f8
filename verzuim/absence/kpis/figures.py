"""The figures of SPEC.md §9 for a selection and a period, from the sums in ``queries``.

See docs/figures.md for the definitions and how the spec's terse sentences are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from verzuim.absence.kpis import queries
from verzuim.absence.kpis.periods import Period, trend_months
from verzuim.absence.kpis.queries import DURATION_CLASSES, Key, Selection
from verzuim.absence.models import Department, Employer

CLASS_KEYS = tuple(key for key, _, _ in DURATION_CLASSES)


@dataclass
class Figures:
    """The counted sums of one group (a department, an employer, a total) over one period,
    and the figures derived from them."""

    period: Period
    employer: str = ""
    department: str = ""
    #: Σ employed calendar days × part-time factor (the verzuimpercentage's denominator).
    available: float = 0.0
    #: Σ sick calendar days × part-time factor × incapacity fraction.
    sick: float = 0.0
    #: Σ employed calendar days, one per person per day (for the average headcount).
    employed_days: int = 0
    new_reports: int = 0
    ended_reports: int = 0
    ended_days: int = 0
    classes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASS_KEYS, 0))
    whole_period: int = 0
    zero_absence: int = 0

    def add(self, other: Figures) -> None:
        self.available += other.available
        self.sick += other.sick
        self.employed_days += other.employed_days
        self.new_reports += other.new_reports
        self.ended_reports += other.ended_reports
        self.ended_days += other.ended_days
        for key in CLASS_KEYS:
            self.classes[key] += other.classes[key]
        self.whole_period += other.whole_period
        self.zero_absence += other.zero_absence

    @property
    def percentage(self) -> float | None:
        """Verzuimpercentage; None when nobody was employed."""
        return self.sick / self.available * 100 if self.available else None

    @property
    def average_headcount(self) -> float:
        return self.employed_days / self.period.days

    @property
    def frequency(self) -> float | None:
        """Meldingsfrequentie: new reports ÷ average headcount, scaled to a year."""
        if not self.employed_days:
            return None
        return self.new_reports / self.average_headcount * 365 / self.period.days

    @property
    def average_duration(self) -> float | None:
        """Gemiddelde verzuimduur of the reports that ended in the period, in days."""
        return self.ended_days / self.ended_reports if self.ended_reports else None

    @property
    def zero_share(self) -> float | None:
        """Nulverzuim: % of those employed the whole period without a sick day in it."""
        return self.zero_absence / self.whole_period * 100 if self.whole_period else None

    def class_share(self, key: str) -> float | None:
        return self.classes[key] / self.ended_reports * 100 if self.ended_reports else None

    @property
    def class_rows(self) -> list[tuple[str, int, float | None]]:
        return [(key, self.classes[key], self.class_share(key)) for key in CLASS_KEYS]


@dataclass
class Dashboard:
    period: Period
    total: Figures
    rows: list[Figures]
    trend: list[Figures]
    employers: int = 0


def _labels(keys: Sequence[Key]) -> dict[Key, tuple[str, str]]:
    departments = dict(
        Department.objects.filter(pk__in={d for _, d in keys if d is not None}).values_list(
            "pk", "name"
        )
    )
    employers = dict(Employer.objects.filter(pk__in={e for e, _ in keys}).values_list("pk", "name"))
    return {
        (e, d): (employers.get(e, ""), departments.get(d, "") if d is not None else "")
        for e, d in keys
    }


def _group_figures(
    sel: Selection, period: Period, extra: Sequence[Period] = ()
) -> tuple[list[Figures], list[Figures]]:
    """Figures per (employer, department) for ``period``, and totals for each ``extra``
    period (verzuimpercentage and headcount only)."""
    periods = [period, *extra]
    available = queries.available_days(sel, periods)
    sick = queries.sick_days(sel, periods)
    reports = queries.report_counts(sel, period)
    zero = queries.zero_absence(sel, period)
    keys = queries.merge_keys(available, sick, reports, zero)
    labels = _labels(keys)
    rows = []
    extras = [Figures(p) for p in extra]
    for key in keys:
        employer, department = labels[key]
        row = Figures(period, employer=employer, department=department)
        weighted = available.get(key, [(0.0, 0)] * len(periods))
        sick_sums = sick.get(key, [0.0] * len(periods))
        row.available, row.employed_days = weighted[0]
        row.sick = sick_sums[0]
        counts = reports.get(key)
        if counts:
            row.new_reports = counts["new"]
            row.ended_reports = counts["ended"]
            row.ended_days = counts["ended_days"]
            row.classes = {k: counts[k] for k in CLASS_KEYS}
        row.whole_period, row.zero_absence = zero.get(key, (0, 0))
        rows.append(row)
        for i, figures in enumerate(extras, start=1):
            figures.available += weighted[i][0]
            figures.employed_days += weighted[i][1]
            figures.sick += sick_sums[i]
    return rows, extras


def total_of(period: Period, rows: Sequence[Figures]) -> Figures:
    total = Figures(period)
    for row in rows:
        total.add(row)
    return total


def figures_for(sel: Selection, period: Period) -> Figures:
    """All figures of ``sel`` over ``period``, as one total."""
    rows, _ = _group_figures(sel, period)
    return total_of(period, rows)


def dashboard(sel: Selection, period: Period, trend_count: int = 12) -> Dashboard:
    """Totals, a row per department and the monthly verzuimpercentage of the
    ``trend_count`` months up to the period's end (4 aggregate queries + 1 for names)."""
    months = trend_months(period.end, trend_count)
    rows, trend = _group_figures(sel, period, months)
    return Dashboard(
        period=period,
        total=total_of(period, rows),
        rows=rows,
        trend=trend,
        employers=len({r.employer for r in rows}),
    )


def monthly(sel: Selection, period: Period) -> list[Figures]:
    """All figures per calendar month of ``period`` (months cut at the period's edges):
    the day sums of all months in two queries, the report counts and zero absence per
    month."""
    months = period.months()
    available = queries.available_days(sel, months)
    sick = queries.sick_days(sel, months)
    result = []
    for i, month in enumerate(months):
        figures = Figures(month)
        figures.available = sum(sums[i][0] for sums in available.values())
        figures.employed_days = sum(sums[i][1] for sums in available.values())
        figures.sick = sum(sums[i] for sums in sick.values())
        for counts in queries.report_counts(sel, month).values():
            figures.new_reports += counts["new"]
            figures.ended_reports += counts["ended"]
            figures.ended_days += counts["ended_days"]
            for key in CLASS_KEYS:
                figures.classes[key] += counts[key]
        for whole, zero in queries.zero_absence(sel, month).values():
            figures.whole_period += whole
            figures.zero_absence += zero
        result.append(figures)
    return result
