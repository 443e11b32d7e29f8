"""Periods for the figures: inclusive date ranges, presets and calendar months. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

#: Preset keys and their labels, in the order the dashboard offers them.
PRESETS = (
    ("this_month", _("This month")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("last_12_months", _("Last 12 months")),
)
DEFAULT_PRESET = "last_12_months"


@dataclass(frozen=True)
class Period:
    """``start`` to ``end``, both included. The ``*_ord`` values are the integer day numbers
    the database aggregates over (``end_ord`` exclusive, like the stored columns)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    @property
    def start_ord(self) -> int:
        return self.start.toordinal()

    @property
    def end_ord(self) -> int:
        return self.end.toordinal() + 1

    @property
    def days(self) -> int:
        return self.end_ord - self.start_ord

    def months(self) -> list[Period]:
        """The calendar months this period touches, each cut at the period's edges."""
        result = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = _add_months(first, 1)
            result.append(Period(max(first, self.start), min(following - timedelta(1), self.end)))
            first = following
        return result


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def preset_period(key: str, today: date) -> Period:
    """A preset relative to ``today``. Periods that include today stop at today: days still
    to come have no absence yet and would only dilute the figures."""
    if key == "this_month":
        return Period(today.replace(day=1), today)
    if key == "last_quarter":
        quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        previous = _add_months(quarter_start, -3)
        return Period(previous, quarter_start - timedelta(1))
    if key == "this_year":
        return Period(date(today.year, 1, 1), today)
    if key == "last_12_months":
        return Period(_add_months(today.replace(day=1), -11), today)
    raise ValueError(f"Unknown period preset {key!r}")


def trend_months(end: date, count: int = 12) -> list[Period]:
    """The ``count`` calendar months up to the month of ``end``; the last one cut at ``end``."""
    first = _add_months(end.replace(day=1), -(count - 1))
    return Period(first, end).months()
