"""Cases (samentellen) and their tasks, recomputed from the report history."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from verzuim.absence import poortwachter
from verzuim.absence.models import (
    Appointment,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    Employee,
    MedicalNote,
    Protocol,
    SickReport,
    TaskState,
    WorkAbilityAdvice,
)
from verzuim.tenants.models import Tenant

_DOSSIER_MODELS = (CaseDocument, Appointment, CaseNote, WorkAbilityAdvice, MedicalNote)


def active_protocol(tenant: Tenant) -> Protocol:
    """The tenant's protocol for new cases; the built-in one is stored on first use."""
    protocol = (
        Protocol.objects.filter(tenant=tenant, is_active=True).order_by("-created_at").first()
    )
    if protocol is None:
        protocol, _ = Protocol.objects.get_or_create(
            tenant=tenant,
            version=poortwachter.PROTOCOL_VERSION,
            defaults={"steps": poortwachter.protocol_to_dicts(poortwachter.DEFAULT_PROTOCOL)},
        )
    return protocol


def timeline_of(case: Case) -> poortwachter.CaseTimeline:
    reports = sorted(case.reports.active(), key=lambda r: r.first_sick_day)
    return poortwachter.CaseTimeline(
        tuple(
            poortwachter.SickPeriod(r.first_sick_day, r.recovery_date, r.new_work_override)
            for r in reports
        )
    )


def rebuild_cases(employee: Employee, *, today: date | None = None) -> list[Case]:
    """Group the employee's reports into cases (28-day rule) and refresh every case's
    dates and tasks. Case rows stay stable: a group keeps the case of its earliest report.
    A case left without reports (two cases merged by a correction) hands its documents,
    notes and done tasks to the case that took its reports, then goes."""
    today = today or timezone.localdate()
    with transaction.atomic():
        reports = sorted(
            SickReport.objects.active().filter(employee=employee),
            key=lambda r: r.first_sick_day,
        )
        by_start = {r.first_sick_day: r for r in reports}
        groups = poortwachter.group_into_cases(
            poortwachter.SickPeriod(r.first_sick_day, r.recovery_date, r.new_work_override)
            for r in reports
        )
        previous_case = {r.pk: r.case_id for r in reports}
        old_case_ids = set(Case.objects.filter(employee=employee).values_list("id", flat=True))
        kept: list[Case] = []
        heir_of: dict[int, Case] = {}
        for group in groups:
            members = [by_start[p.first_sick_day] for p in group.periods]
            used = {c.pk for c in kept}
            case_id = next(
                (r.case_id for r in members if r.case_id and r.case_id not in used), None
            )
            case = Case.objects.filter(pk=case_id).first() if case_id else None
            if case is None:
                case = Case.objects.create(
                    employee=employee,
                    protocol=active_protocol(employee.employer.tenant),
                    first_sick_day=group.first_sick_day,
                )
            for r in members:
                old_case = previous_case[r.pk]
                if old_case is not None and old_case != case.pk:
                    heir_of.setdefault(old_case, case)
                if r.case_id != case.pk:
                    SickReport.objects.filter(pk=r.pk).update(case=case)
            case.first_sick_day = group.first_sick_day
            case.recovery_date = group.recovery_date
            case.fit_days_between = group.fit_days_between
            case.save(update_fields=["first_sick_day", "recovery_date", "fit_days_between"])
            kept.append(case)
        # Withdrawn reports belong to no case.
        SickReport.objects.filter(employee=employee, withdrawn=True).update(case=None)
        for orphan_id in old_case_ids - {c.pk for c in kept}:
            _retire(orphan_id, heir_of.get(orphan_id))
        for case in kept:
            sync_tasks(case, today=today)
    return kept


def _retire(case_id: int, heir: Case | None) -> None:
    """Move what a vanished case holds to ``heir``; keep it if there is nowhere to go."""
    # Locked, so a dossier item being added right now either lands before this decision
    # (and the case stays) or finds the case gone (verzuim/absence/actions/dossier.py).
    orphan = Case.objects.select_for_update().filter(pk=case_id).first()
    if orphan is None:
        return
    if heir is None:
        # Every report was withdrawn. Without a dossier the case goes; with one it stays,
        # closed, so no document or note is lost.
        if not any(m.objects.filter(case_id=case_id).exists() for m in _DOSSIER_MODELS):  # type: ignore[attr-defined]
            orphan.delete()
            return
        orphan.tasks.filter(state=TaskState.OPEN).update(state=TaskState.LAPSED)
        if orphan.recovery_date is None:
            orphan.recovery_date = timezone.localdate()
            orphan.save(update_fields=["recovery_date"])
        return
    for model in _DOSSIER_MODELS:
        model.objects.filter(case_id=case_id).update(case=heir)  # type: ignore[attr-defined]
    heir_tasks = {t.key: t for t in heir.tasks.all()}
    for task in orphan.tasks.filter(state=TaskState.DONE):
        same = heir_tasks.get(task.key)
        if same is None:
            task.case = heir
            task.save(update_fields=["case"])
        elif same.state != TaskState.DONE:
            # The step was carried out for this sickness: the merged case keeps that fact
            # (who and when) instead of losing it with the vanished case.
            same.state, same.done_at, same.done_by_id = task.state, task.done_at, task.done_by_id
            same.save(update_fields=["state", "done_at", "done_by"])
    orphan.delete()


def sync_tasks(case: Case, *, today: date | None = None) -> None:
    """Recompute the case's tasks from its history; done tasks stay done."""
    today = today or timezone.localdate()
    timeline = timeline_of(case)
    computed = poortwachter.compute_tasks(timeline, case.protocol.parsed(), today=today)
    existing = {t.key: t for t in case.tasks.all()}
    seen: set[str] = set()
    create: list[CaseTask] = []
    for due in computed:
        seen.add(due.key)
        fields = {
            "code": due.code,
            "title": due.title,
            "role": due.role,
            "due_date": due.due_date,
            "window_end": due.window_end,
            "deadline": due.deadline,
            "sick_day": due.sick_day,
        }
        task = existing.get(due.key)
        closed_before = due.status == poortwachter.TaskStatus.NOT_DUE_CASE_CLOSED
        if task is None:
            if closed_before:
                continue
            create.append(CaseTask(case=case, key=due.key, **fields))
            continue
        changed = [name for name, value in fields.items() if getattr(task, name) != value]
        for name in changed:
            setattr(task, name, fields[name])
        if task.state == TaskState.OPEN and closed_before:
            task.state, changed = TaskState.LAPSED, [*changed, "state"]
        elif task.state == TaskState.LAPSED and not closed_before:
            task.state, changed = TaskState.OPEN, [*changed, "state"]
        if changed:
            task.save(update_fields=changed)
    CaseTask.objects.bulk_create(create)
    case.tasks.filter(state=TaskState.OPEN).exclude(key__in=seen).update(state=TaskState.LAPSED)
