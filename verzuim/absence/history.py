"""The effective history of a sick report: its mutations minus those superseded.

Pure over plain values except :func:`effective_mutations`, which reads the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from verzuim.absence.models import MutationKind, SickReport, SickReportMutation
from verzuim.absence.models.organisation import OPEN_END


@dataclass(frozen=True)
class ReportState:
    first_sick_day: date
    recovery_date: date | None
    incapacity: int
    withdrawn: bool
    #: (start, end exclusive or None, incapacity %) stretches with constant incapacity.
    stretches: tuple[tuple[date, date | None, int], ...]


def effective_mutations(report: SickReport) -> list[SickReportMutation]:
    """Rows not superseded, each with ``root_kind``: the kind of the entry it (through a
    chain of corrections) replaces, so a corrected first sick day stays the start."""
    rows = list(report.mutations.all())
    by_id = {m.pk: m for m in rows}
    superseded = {m.supersedes_id for m in rows if m.supersedes_id}
    effective = [m for m in rows if m.pk not in superseded]
    for m in effective:
        root = m
        while root.supersedes_id and root.supersedes_id in by_id:
            root = by_id[root.supersedes_id]
        m.root_kind = root.kind  # type: ignore[attr-defined]
    return effective


def entries_of(mutations: Sequence[SickReportMutation]) -> list[tuple[str, date, int]]:
    return [(m.root_kind, m.effective_date, m.incapacity) for m in mutations]  # type: ignore[attr-defined]


def state_of(entries: Sequence[tuple[str, date, int]]) -> ReportState:
    """``entries``: effective (root kind, date, incapacity) rows; the REPORTED one is the
    start (first sick day). Changes dated on or before the start are ignored here;
    :func:`is_consistent` refuses such histories before they are stored."""
    withdrawn = any(kind == MutationKind.WITHDRAWN for kind, _, _ in entries)
    reported = next((on, pct) for kind, on, pct in entries if kind == MutationKind.REPORTED)
    first = reported[0]
    changes = [reported] + sorted(
        ((on, pct) for kind, on, pct in entries
         if kind not in (MutationKind.WITHDRAWN, MutationKind.REPORTED) and on > first),
        key=lambda e: e[0],
    )
    stretches: list[tuple[date, date | None, int]] = []
    recovery: date | None = None
    current = 100
    for on, pct in changes:
        if stretches and stretches[-1][1] is None:
            begin, _, prev = stretches.pop()
            if begin < on:
                stretches.append((begin, on, prev))
        if pct == 0:
            recovery = on
            current = 0
            break
        stretches.append((on, None, pct))
        current = pct
    return ReportState(first, recovery, current, withdrawn, tuple(stretches))


def is_consistent(entries: Sequence[tuple[str, date, int]]) -> bool:
    """Every change after the start, at most one per day, and nothing after full recovery."""
    start = [on for kind, on, _ in entries if kind == MutationKind.REPORTED]
    if len(start) != 1:
        return False
    changes = sorted(
        (on, pct) for kind, on, pct in entries
        if kind not in (MutationKind.WITHDRAWN, MutationKind.REPORTED)
    )
    days = [on for on, _ in changes]
    if any(on <= start[0] for on in days) or len(set(days)) != len(days):
        return False
    return all(pct != 0 for _, pct in changes[:-1])


def segment_rows(state: ReportState) -> list[tuple[int, int, float]]:
    """(start_ord, end_ord, fraction) rows for the figures; none for a withdrawn report."""
    if state.withdrawn:
        return []
    return [
        (start.toordinal(), end.toordinal() if end else OPEN_END, pct / 100)
        for start, end, pct in state.stretches
    ]
