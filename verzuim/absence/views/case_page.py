"""Read-only assembly of the case page: reports with their history, a timeline merging
reports, changes, tasks and the dossier, and the samentellen figures. No writes here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.urls import reverse
from django.utils import timezone

from verzuim.absence import poortwachter
from verzuim.absence.actions.cases import timeline_of
from verzuim.absence.dossier_access import (
    documents_for,
    may_advise,
    may_plan_appointments,
    may_write_dossier,
    notes_for,
)
from verzuim.absence.history import effective_mutations
from verzuim.absence.models import Case, CaseTask, MutationKind, SickReport, TaskState
from verzuim.absence.scope import can_report, is_physician

#: Open tasks further ahead than this are listed under "later", not in the timeline.
TIMELINE_HORIZON = timedelta(weeks=8)
#: An open task whose deadline is this close is marked "due soon".
DUE_SOON = timedelta(days=14)


@dataclass
class Item:
    day: date
    kind: str
    obj: Any
    rank: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def employee_url(employee: Any) -> str:
    return reverse("absence:employee", args=[employee.pk])


def task_badge(task: CaseTask, today: date) -> str:
    if task.state == TaskState.DONE:
        return "done"
    if task.state == TaskState.LAPSED:
        return "lapsed"
    if task.deadline is not None and task.deadline < today:
        return "overdue"
    if task.deadline is not None and task.deadline - today <= DUE_SOON:
        return "due"
    return "open"


@dataclass
class ReportView:
    report: SickReport
    #: Every history row, oldest first, each with ``is_superseded`` and ``corrected_by``.
    history: list[Any]


def report_history(report: SickReport) -> list[Any]:
    """Every history row, oldest first, marked ``is_superseded`` with ``corrected_by``."""
    rows = list(
        report.mutations.select_related("author", "supersedes").order_by("created_at", "id")
    )
    effective = {m.pk for m in effective_mutations(report)}
    by_supersedes = {m.supersedes_id: m for m in rows if m.supersedes_id}
    for row in rows:
        row.is_superseded = row.pk not in effective  # type: ignore[attr-defined]
        row.corrected_by = by_supersedes.get(row.pk)  # type: ignore[attr-defined]
    return rows


def _report_views(reports: list[SickReport]) -> list[ReportView]:
    return [ReportView(report, report_history(report)) for report in reports]


def _gaps(reports: list[SickReport]) -> list[dict[str, Any]]:
    gaps = []
    for earlier, later in pairwise(reports):
        if earlier.recovery_date is not None:
            gaps.append(
                {
                    "from": earlier.recovery_date,
                    "to": later.first_sick_day,
                    "days": (later.first_sick_day - earlier.recovery_date).days,
                }
            )
    return gaps


def case_context(case: Case, user: Any, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    reports = sorted(case.reports.active(), key=lambda r: r.first_sick_day)
    sick_days = None
    if reports:
        sick_days = poortwachter.sick_day_number(timeline_of(case), today)
    tasks = list(case.tasks.select_related("done_by"))
    documents = list(documents_for(case, user).select_related("uploaded_by"))
    appointments = list(case.appointments.select_related("created_by"))
    notes = list(notes_for(case, user).select_related("author"))
    advice = list(case.advice.select_related("author").order_by("-created_at", "-id"))

    items: list[Item] = []
    report_views = _report_views(reports)
    for view in report_views:
        items.append(Item(view.report.first_sick_day, "report", view.report, 0))
        for row in view.history:
            if row.is_superseded or row.kind == MutationKind.REPORTED:
                continue
            items.append(Item(row.effective_date, "change", row, 1, {"report": view.report}))
    later: list[CaseTask] = []
    lapsed: list[CaseTask] = []
    for task in tasks:
        task.badge = task_badge(task, today)  # type: ignore[attr-defined]
        if task.state == TaskState.LAPSED:
            lapsed.append(task)
        elif (
            task.state == TaskState.OPEN
            and task.deadline
            and task.deadline > today + (TIMELINE_HORIZON)
        ):
            later.append(task)
        else:
            items.append(Item(task.deadline or case.first_sick_day, "task", task, 2))
    items += [Item(_day(d.uploaded_at), "document", d, 3) for d in documents]
    items += [Item(_day(a.starts_at), "appointment", a, 4) for a in appointments]
    items += [Item(_day(n.created_at), "note", n, 5) for n in notes]
    items += [Item(_day(a.created_at), "advice", a, 6) for a in advice]
    items.sort(key=lambda i: (i.day, i.rank))

    user_can_report = can_report(user)
    return {
        "case": case,
        "employee": case.employee,
        "employee_url": employee_url(case.employee),
        "today": today,
        "reports": report_views,
        "open_report": next((r for r in reports if r.is_open), None),
        "sick_days": sick_days,
        "sick_week": (sick_days - 1) // 7 + 1 if sick_days else None,
        "gaps": _gaps(reports),
        "samentellen_days": poortwachter.SAMENTELLEN_GAP_DAYS,
        "timeline": items,
        "later_tasks": later,
        "lapsed_tasks": lapsed,
        "latest_advice": advice[0] if advice else None,
        "can_report": user_can_report,
        "may_write": may_write_dossier(user),
        "may_plan": may_plan_appointments(user),
        "may_advise": may_advise(user),
        "is_physician": is_physician(user),
    }
