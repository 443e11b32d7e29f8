"""Pure deadline engine for the Wet verbetering poortwachter (Dutch sick-leave process).

Standard library only: this module must not import Django, so it can be tested and reused
without settings or a database.

Glossary: ziekmelding → sick report (one :class:`SickPeriod` here), traject → case
(:class:`CaseTimeline`), plan van aanpak → action plan, nieuw bedongen arbeid → new work
override.

Definitions
-----------
* A :class:`SickPeriod` runs from ``first_sick_day`` (inclusive, sick day 1 of that report)
  up to ``recovery_date`` (exclusive: the first day fit, the *hersteldatum*). ``None`` means
  the report is still open. Partial recovery is a percentage mutation inside the same report
  and does not end it, so it has no place (and no effect) here.
* Samentellen (art. 7:629 lid 10 BW): the *gap* between two consecutive periods is
  ``next.first_sick_day - previous.recovery_date`` in days, i.e. the number of fit calendar
  days in between. ``gap < 28`` → the later period is added to the same case;
  ``gap >= 28`` → it starts a new case. A later period with ``new_work_override=True``
  always starts a new case.
* Aggregated sick days: day 1 is the case's first sick day; only calendar days inside the
  case's periods are counted, so the fit days in between shift every deadline by exactly
  their number. Sick week ``w`` covers aggregated days ``7*(w-1)+1`` … ``7*w``.
* Protocol steps (see :class:`ProtocolStep`): a plain step's deadline is the *last* day of
  its week plus ``offset_days`` ("uiterlijk in week 6" → day 42; "first day after week 42"
  → week 42 with ``offset_days=1`` → day 295). A windowed step opens on the *first* day of
  ``week`` (plus ``offset_days``) and closes on the last day of ``window_end_week``.
  A step with ``relative_to`` is anchored on the deadline of the referenced step (its window
  end when windowed) and lies ``week`` weeks plus ``offset_days`` days after it, still counted
  in aggregated sick days.
* A closed case (last period recovered) does not project beyond its last sick day: steps
  whose deadline falls later get ``status="not_due_case_closed"`` (and no date for whatever
  was not reached). An open case projects forward from its last period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

__all__ = [
    "DEFAULT_PROTOCOL",
    "PROTOCOL_VERSION",
    "SAMENTELLEN_GAP_DAYS",
    "CaseTimeline",
    "InvalidHistory",
    "InvalidProtocol",
    "ProtocolStep",
    "SickPeriod",
    "TaskDue",
    "TaskStatus",
    "compute_tasks",
    "date_of_sick_day",
    "date_of_sick_week",
    "group_into_cases",
    "period_from_mutations",
    "protocol_from_dicts",
    "protocol_to_dicts",
    "sick_day_number",
]

#: Periods separated by fewer fit days than this are added together (art. 7:629 lid 10 BW).
SAMENTELLEN_GAP_DAYS = 28
#: Aggregated sick days of the wage-payment obligation (104 weeks); recurring steps stop here.
MAX_SICK_DAYS = 104 * 7

PROTOCOL_VERSION = "2026-1"


class InvalidHistory(ValueError):
    """The report history cannot be turned into cases (overlap, open period not last, …)."""


class InvalidProtocol(ValueError):
    """A protocol definition is malformed; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]):
        self.errors = tuple(errors)
        super().__init__("; ".join(self.errors))


class TaskStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    NOT_DUE_CASE_CLOSED = "not_due_case_closed"


# ---------------------------------------------------------------------------------------
# Report history and cases
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# Protocol (data, editable per tenant)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProtocolStep:
    """One step of a Poortwachter protocol (stored as data, editable per tenant).

    * plain: deadline on the last day of sick week ``week`` plus ``offset_days``;
    * windowed (``window_end_week`` set): opens on the first day of ``week`` plus
      ``offset_days``, closes on the last day of ``window_end_week``;
    * ``relative_to`` (a step code): counted from that step's deadline (window end if
      windowed) instead of from sick day 0 — ``week`` weeks plus ``offset_days`` days later;
    * ``recurring_every_weeks``: repeats that many weeks after each occurrence, while the
      occurrence falls before the opening day of ``repeat_until`` (a step code) and within
      104 weeks.
    """

    code: str
    title: str
    week: int
    offset_days: int = 0
    window_end_week: int | None = None
    recurring_every_weeks: int | None = None
    relative_to: str | None = None
    repeat_until: str | None = None
    role: str


DEFAULT_PROTOCOL: tuple[ProtocolStep, ...] = (
    ProtocolStep(
        code="report_health_service",
        title="Report to the occupational health service",
        week=1,
        role="employer",
    ),
    ProtocolStep(code="problem_analysis", title="Probleemanalyse", week=6, role="company_doctor"),
    ProtocolStep(code="action_plan", title="Plan van aanpak", week=8, role="case_manager"),
    ProtocolStep(
        code="evaluation",
        title="Evaluation of the plan van aanpak",
        week=6,
        relative_to="action_plan",
        recurring_every_weeks=6,
        repeat_until="first_year_evaluation",
        role="case_manager",
    ),
    ProtocolStep(
        code="report_uwv",
        title="Report to UWV (ziekmelding 42e week)",
        week=42,
        offset_days=1,
        role="employer",
    ),
    ProtocolStep(
        code="first_year_evaluation",
        title="Eerstejaarsevaluatie",
        week=46,
        window_end_week=52,
        role="case_manager",
    ),
    ProtocolStep(
        code="second_track_decision",
        title="Decision on a second re-integration track",
        week=6,
        relative_to="first_year_evaluation",
        role="case_manager",
    ),
    ProtocolStep(
        code="evaluation_year_two",
        title="Evaluation of the plan van aanpak (second year)",
        week=6,
        relative_to="first_year_evaluation",
        recurring_every_weeks=6,
        repeat_until="current_assessment",
        role="case_manager",
    ),
    ProtocolStep(
        code="current_assessment",
        title="Actueel oordeel by the company doctor",
        week=87,
        window_end_week=91,
        role="company_doctor",
    ),
    ProtocolStep(
        code="final_evaluation",
        title="Eindevaluatie",
        week=87,
        window_end_week=91,
        role="case_manager",
    ),
    ProtocolStep(
        code="wia_application",
        title="WIA application with re-integratieverslag",
        week=91,
        window_end_week=93,
        role="employee",
    ),
    ProtocolStep(
        code="end_of_wage_payment", title="End of wage payment", week=104, role="employer"
    ),
)

_INT_FIELDS = ("week", "offset_days", "window_end_week", "recurring_every_weeks")
_STR_FIELDS = ("code", "title", "relative_to", "repeat_until", "role")
_REQUIRED = ("code", "title", "week", "role")


def protocol_to_dicts(protocol: Iterable[ProtocolStep]) -> list[dict]:
    """Plain dicts (JSON-ready) for storage; inverse of :func:`protocol_from_dicts`."""
    return [asdict(step) for step in protocol]


def protocol_from_dicts(rows: Iterable[Mapping]) -> tuple[ProtocolStep, ...]:
    """Build and validate a protocol from plain dicts; raise :class:`InvalidProtocol`."""
    errors: list[str] = []
    known = {f.name for f in fields(ProtocolStep)}
    steps: list[ProtocolStep] = []
    for index, row in enumerate(rows):
        where = f"step {index + 1}"
        if not isinstance(row, Mapping):
            errors.append(f"{where}: must be a mapping")
            continue
        row_errors: list[str] = []
        for key in sorted(set(row) - known, key=str):
            row_errors.append(f"{where}: unknown field {key!r}")
        for key in _REQUIRED:
            if row.get(key) is None:
                row_errors.append(f"{where}: {key} is required")
        for key in _INT_FIELDS:
            value = row.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                row_errors.append(f"{where}: {key} must be a whole number")
        for key in _STR_FIELDS:
            value = row.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                row_errors.append(f"{where}: {key} must be a non-empty text")
        if row_errors:
            errors.extend(row_errors)
            continue
        step = ProtocolStep(**{k: row[k] for k in row if k in known})
        minimum_week = 0 if step.relative_to else 1
        if step.week < minimum_week:
            errors.append(f"{where} ({step.code}): week must be at least {minimum_week}")
        if step.window_end_week is not None and step.window_end_week < step.week:
            errors.append(f"{where} ({step.code}): window_end_week is before week")
        if step.recurring_every_weeks is not None and step.recurring_every_weeks < 1:
            errors.append(f"{where} ({step.code}): recurring_every_weeks must be at least 1")
        if step.repeat_until is not None and step.recurring_every_weeks is None:
            errors.append(f"{where} ({step.code}): repeat_until needs recurring_every_weeks")
        steps.append(step)

    codes = [s.code for s in steps]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        errors.append(f"duplicate step code {code!r}")
    by_code = {s.code: s for s in steps}
    for step in steps:
        for attr in ("relative_to", "repeat_until"):
            ref = getattr(step, attr)
            if ref is not None and ref not in by_code:
                errors.append(f"{step.code}: {attr} refers to unknown step {ref!r}")
        if step.relative_to is not None and step.relative_to in by_code:
            if by_code[step.relative_to].recurring_every_weeks is not None:
                errors.append(f"{step.code}: cannot be relative to a recurring step")
    if not errors:
        for step in steps:
            seen = {step.code}
            ref = step.relative_to
            while ref is not None:
                if ref in seen:
                    errors.append(f"{step.code}: relative_to forms a cycle")
                    break
                seen.add(ref)
                ref = by_code[ref].relative_to
    if errors:
        raise InvalidProtocol(errors)
    return tuple(steps)


# ---------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskDue:
    """A computed task. ``due_date`` is the deadline (plain step) or the day the window
    opens; ``window_end`` the last day of a windowed step. ``occurrence`` numbers recurring
    steps from 1. ``sick_day``/``window_end_sick_day`` are the aggregated day numbers."""

    code: str
    title: str
    role: str
    due_date: date | None
    window_end: date | None
    status: TaskStatus
    sick_day: int
    window_end_sick_day: int | None = None
    occurrence: int | None = None

    @property
    def key(self) -> str:
        """Stable identifier within a case, e.g. ``action_plan`` or ``evaluation:3``."""
        return self.code if self.occurrence is None else f"{self.code}:{self.occurrence}"

    @property
    def deadline(self) -> date | None:
        return self.window_end if self.window_end_sick_day is not None else self.due_date


def _step_days(step: ProtocolStep, anchor: int) -> tuple[int, int | None]:
    """(opening/deadline day, window end day) in aggregated sick days, from ``anchor``."""
    if step.window_end_week is None:
        return anchor + 7 * step.week + step.offset_days, None
    start = anchor + 7 * (step.week - 1) + 1 + step.offset_days
    end = anchor + 7 * step.window_end_week
    return start, end


def _resolve(protocol: Sequence[ProtocolStep]) -> dict[str, tuple[int, int | None]]:
    by_code = {s.code: s for s in protocol}
    resolved: dict[str, tuple[int, int | None]] = {}

    def resolve(step: ProtocolStep, depth: int = 0) -> tuple[int, int | None]:
        if step.code in resolved:
            return resolved[step.code]
        if depth > len(by_code):
            raise InvalidProtocol([f"{step.code}: relative_to forms a cycle"])
        anchor = 0
        if step.relative_to is not None:
            ref = by_code.get(step.relative_to)
            if ref is None:
                raise InvalidProtocol([f"{step.code}: unknown step {step.relative_to!r}"])
            start, end = resolve(ref, depth + 1)
            anchor = end if end is not None else start
        resolved[step.code] = _step_days(step, anchor)
        return resolved[step.code]

    for step in protocol:
        resolve(step)
    return resolved


def compute_tasks(
    case: CaseTimeline,
    protocol: Sequence[ProtocolStep] = DEFAULT_PROTOCOL,
    today: date | None = None,
) -> list[TaskDue]:
    """All Poortwachter tasks of ``case`` under ``protocol``, sorted by aggregated sick day.

    Pure: the result depends only on the arguments (``today=None`` never marks anything
    overdue). A task is ``overdue`` when ``today`` is after its deadline (window end for
    windowed steps), else ``due``; in a closed case whose sickness ended before the deadline
    it is ``not_due_case_closed`` (dates not reached are ``None``). Recompute after every
    recovery or relapse: the dates follow the new history.
    """
    resolved = _resolve(protocol)
    days: list[tuple[ProtocolStep, int, int | None, int | None]] = []
    for step in protocol:
        start, end = resolved[step.code]
        if step.recurring_every_weeks is None:
            days.append((step, start, end, None))
            continue
        # Up to and including day 728 (end of week 104), strictly before ``repeat_until``.
        limit = MAX_SICK_DAYS + 1
        if step.repeat_until is not None:
            limit = min(limit, resolved[step.repeat_until][0])
        step_days = 7 * step.recurring_every_weeks
        occurrence = 1
        while start < limit:
            days.append((step, start, end, occurrence))
            start += step_days
            end = None if end is None else end + step_days
            occurrence += 1

    order = {s.code: i for i, s in enumerate(protocol)}
    days.sort(key=lambda item: (item[1], order[item[0].code], item[3] or 0))
    tasks: list[TaskDue] = []
    for step, day, end_day, number in days:
        due_date = date_of_sick_day(case, day) if day >= 1 else case.first_sick_day
        window_end = date_of_sick_day(case, end_day) if end_day is not None else None
        deadline = window_end if end_day is not None else due_date
        if deadline is None:
            status = TaskStatus.NOT_DUE_CASE_CLOSED
        elif today is not None and today > deadline:
            status = TaskStatus.OVERDUE
        else:
            status = TaskStatus.DUE
        tasks.append(
            TaskDue(
                code=step.code,
                title=step.title,
                role=step.role,
                due_date=due_date,
                window_end=window_end,
                status=status,
                sick_day=day,
                window_end_sick_day=end_day,
                occurrence=number,
            )
        )
    return tasks


def period_from_mutations(
    first_sick_day: date,
    mutations: Sequence[tuple[date, int]] = (),
    *,
    new_work_override: bool = False,
) -> SickPeriod:
    """The :class:`SickPeriod` of one report, from its incapacity mutations.

    ``mutations`` are ``(date, incapacity percentage)`` changes after the report (100 =
    fully sick). Partial recovery (1–99 %) keeps the report — and so every Poortwachter
    deadline — running; only 0 % (full recovery) closes it, that date being the recovery
    date. A report cannot change after its full recovery: a relapse is a new report.
    """
    recovery: date | None = None
    previous = first_sick_day
    for on, percentage in sorted(mutations, key=lambda m: m[0]):
        if isinstance(percentage, bool) or not isinstance(percentage, int):
            raise InvalidHistory(f"incapacity on {on} must be a whole percentage")
        if not 0 <= percentage <= 100:
            raise InvalidHistory(f"incapacity on {on} must be 0–100 %, got {percentage}")
        if on < previous:
            raise InvalidHistory(f"mutation on {on} precedes the first sick day")
        if recovery is not None:
            raise InvalidHistory(
                f"mutation on {on} after full recovery on {recovery}: report a relapse instead"
            )
        if percentage == 0:
            recovery = on
        previous = on
    return SickPeriod(first_sick_day, recovery, new_work_override)
