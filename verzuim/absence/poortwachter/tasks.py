"""Tasks of a case under a protocol, and a report's period from its mutations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from verzuim.absence.poortwachter.base import (
    MAX_SICK_DAYS,
    InvalidHistory,
    InvalidProtocol,
    TaskStatus,
)
from verzuim.absence.poortwachter.cases import CaseTimeline, SickPeriod, date_of_sick_day
from verzuim.absence.poortwachter.protocol import DEFAULT_PROTOCOL, ProtocolStep


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
