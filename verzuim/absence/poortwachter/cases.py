"""Report history → cases (samentellen) and sick-day arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from verzuim.absence.poortwachter.base import SAMENTELLEN_GAP_DAYS, InvalidHistory


@dataclass(frozen=True)
class SickPeriod:
    """One sick report: ``first_sick_day`` inclusive, ``recovery_date`` (first day fit)
    exclusive, ``None`` while open."""

    first_sick_day: date
    recovery_date: date | None = None
    new_work_override: bool = False

    def __post_init__(self) -> None:
        if self.recovery_date is not None and self.recovery_date <= self.first_sick_day:
            raise InvalidHistory(
                f"recovery date {self.recovery_date} must be after first sick day "
                f"{self.first_sick_day}"
            )

    @property
    def is_open(self) -> bool:
        return self.recovery_date is None

    @property
    def sick_days(self) -> int | None:
        """Calendar days in this period, ``None`` while open."""
        if self.recovery_date is None:
            return None
        return (self.recovery_date - self.first_sick_day).days


@dataclass(frozen=True)
class CaseTimeline:
    """A Poortwachter case (traject): one or more periods added together, oldest first."""

    periods: tuple[SickPeriod, ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise InvalidHistory("a case needs at least one sick period")

    @property
    def first_sick_day(self) -> date:
        return self.periods[0].first_sick_day

    @property
    def is_open(self) -> bool:
        return self.periods[-1].is_open

    @property
    def recovery_date(self) -> date | None:
        """First day fit after the last period, ``None`` while the case is open."""
        return self.periods[-1].recovery_date

    @property
    def total_sick_days(self) -> int | None:
        """Aggregated sick days of a closed case, ``None`` while open."""
        if self.is_open:
            return None
        return sum(p.sick_days or 0 for p in self.periods)

    @property
    def fit_days_between(self) -> int:
        """Fit days in the gaps between the periods (they shift every deadline)."""
        return sum(
            (later.first_sick_day - earlier.recovery_date).days
            for earlier, later in pairwise(self.periods)
            if earlier.recovery_date is not None
        )


def group_into_cases(periods: Iterable[SickPeriod]) -> list[CaseTimeline]:
    """Group a report history into cases (samentellen, art. 7:629 lid 10 BW).

    The periods are sorted by first sick day. For consecutive periods,
    ``gap_days = later.first_sick_day - earlier.recovery_date`` (the fit days in between):
    ``gap_days < 28`` adds the later period to the same case, ``gap_days >= 28`` starts a new
    case (so 27 fit days → same case, 28 or 29 → new case). ``new_work_override`` on the later
    period always starts a new case.

    Raises :class:`InvalidHistory` when periods overlap (a later period starting before the
    earlier one's recovery date, including two periods on the same first sick day) or when a
    still-open period is not the last one.
    """
    ordered = sorted(periods, key=lambda p: p.first_sick_day)
    cases: list[list[SickPeriod]] = []
    previous: SickPeriod | None = None
    for period in ordered:
        if previous is None:
            cases.append([period])
        else:
            if previous.recovery_date is None:
                raise InvalidHistory(
                    f"open period from {previous.first_sick_day} must be the last one, but "
                    f"a period starts on {period.first_sick_day}"
                )
            gap_days = (period.first_sick_day - previous.recovery_date).days
            if gap_days < 0:
                raise InvalidHistory(
                    f"period from {period.first_sick_day} overlaps the period "
                    f"{previous.first_sick_day}–{previous.recovery_date}"
                )
            if period.new_work_override or gap_days >= SAMENTELLEN_GAP_DAYS:
                cases.append([period])
            else:
                cases[-1].append(period)
        previous = period
    return [CaseTimeline(tuple(case)) for case in cases]


def sick_day_number(case: CaseTimeline, on: date) -> int:
    """Aggregated sick days of ``case`` on or before ``on`` (day 1 = first sick day).

    0 before the case starts; on a fit day between periods, the count so far (fit days do
    not count); after a closed case, its total.
    """
    count = 0
    for period in case.periods:
        if on < period.first_sick_day:
            break
        end = period.recovery_date
        if end is None or on < end:
            count += (on - period.first_sick_day).days + 1
            break
        count += (end - period.first_sick_day).days
    return count


def date_of_sick_day(case: CaseTimeline, day: int) -> date | None:
    """Calendar date on which ``case`` reaches aggregated sick day ``day`` (1-based).

    Open cases are projected forward from their last period; a closed case that never
    reached ``day`` gives ``None``.
    """
    if day < 1:
        raise ValueError(f"sick day numbers start at 1, got {day}")
    before = 0
    for period in case.periods:
        length = period.sick_days
        if length is None or day <= before + length:
            return period.first_sick_day + timedelta(days=day - before - 1)
        before += length
    return None


def date_of_sick_week(case: CaseTimeline, week: int, day_in_week: int = 1) -> date | None:
    """Date of day ``day_in_week`` (1–7) of aggregated sick week ``week`` (1-based).

    Week ``w`` starts at aggregated day ``7*(w-1)+1``; ``None`` if a closed case never got there.
    """
    if week < 1:
        raise ValueError(f"sick weeks start at 1, got {week}")
    if not 1 <= day_in_week <= 7:
        raise ValueError(f"day_in_week must be 1–7, got {day_in_week}")
    return date_of_sick_day(case, 7 * (week - 1) + day_in_week)
