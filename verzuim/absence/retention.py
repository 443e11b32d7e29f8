"""Retention: remove sick-leave data past its legal term (``manage.py purge_expired``).

Terms (SPEC §9, AVG and the Uitvoeringsregels):

* Re-integration dossier — a case with its tasks, documents (and their files), appointments,
  notes, advice and medical notes: 2 years after the case ended, 5 years when the employer
  is eigenrisicodrager for the Ziektewet (UWV may ask for it for that long).
* Administrative absence data — the employee, their employment records, sick reports with
  their mutations and figure segments: 2 years after the (last) employment ended. Never
  while the person is employed or has an open case, and not while one of their dossiers is
  still within its own term (deleting the employee would take it along).

The rules are pure functions of dates; :func:`purge_expired` applies them to the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from verzuim.absence import figure_cache
from verzuim.absence.models import (
    Appointment,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    Employee,
    Employment,
    MedicalNote,
    SickReport,
    SickReportMutation,
    WorkAbilityAdvice,
)
from verzuim.audit.actions import record
from verzuim.audit.models import Event

DOSSIER_YEARS = 2
DOSSIER_YEARS_OWN_RISK_ZW = 5
ADMINISTRATIVE_YEARS = 2

# --- pure rules --------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def dossier_kept_until(recovery_date: date, own_risk_zw: bool) -> date:
    """Last day a re-integration dossier is kept. The case ended the day before its
    recovery date (the first day fit); the term runs from that last sick day."""
    years = DOSSIER_YEARS_OWN_RISK_ZW if own_risk_zw else DOSSIER_YEARS
    return add_years(recovery_date - timedelta(days=1), years)


def dossier_expired(recovery_date: date | None, own_risk_zw: bool, today: date) -> bool:
    """An open case (no recovery date) never expires."""
    return recovery_date is not None and today > dossier_kept_until(recovery_date, own_risk_zw)


def administrative_kept_until(employment_ends: Iterable[date | None]) -> date | None:
    """Last day the administrative data is kept: 2 years after the last employment ended;
    ``None`` while any employment is ongoing (or there is none to go by)."""
    ends = list(employment_ends)
    if not ends or any(end is None for end in ends):
        return None
    return add_years(max(e for e in ends if e is not None), ADMINISTRATIVE_YEARS)


def administrative_expired(
    employment_ends: Iterable[date | None], *, has_open_case: bool, today: date
) -> bool:
    if has_open_case:
        return False
    kept_until = administrative_kept_until(employment_ends)
    return kept_until is not None and today > kept_until


# --- applying them ----------------------------------------------------------------------


@dataclass
class PurgeResult:
    day: date
    dry_run: bool
    #: Case ids of the re-integration dossiers removed (or that would be).
    cases: list[int] = field(default_factory=list)
    #: Employee ids whose administrative data was removed (or would be).
    employees: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


def expired_case_ids(today: date) -> list[int]:
    """Closed cases past their term (the database narrows, the pure rule decides)."""
    loosest = today - timedelta(days=365 * DOSSIER_YEARS)
    rows = (
        Case.objects.filter(recovery_date__isnull=False, recovery_date__lt=loosest)
        .values_list("pk", "recovery_date", "employee__employer__own_risk_zw")
        .order_by("pk")
    )
    return [pk for pk, recovered, own_risk in rows if dossier_expired(recovered, own_risk, today)]


def expired_employee_ids(today: date, purged_cases: set[int]) -> list[int]:
    """Employees whose administrative term has passed and who keep no dossier in its term."""
    loosest = today - timedelta(days=365 * ADMINISTRATIVE_YEARS)
    candidates = (
        Employee.objects.annotate(
            ongoing=Count("employments", filter=Q(employments__end_date__isnull=True)),
            last_end=Max("employments__end_date"),
        )
        .filter(ongoing=0, last_end__lt=loosest)
        .order_by("pk")
    )
    ends: dict[int, list[date | None]] = {}
    for employee_id, end in Employment.objects.filter(employee__in=candidates).values_list(
        "employee_id", "end_date"
    ):
        ends.setdefault(employee_id, []).append(end)
    open_cases = set(
        Case.objects.filter(employee_id__in=ends, recovery_date__isnull=True).values_list(
            "employee_id", flat=True
        )
    )
    open_reports = set(
        SickReport.objects.active()
        .filter(employee_id__in=ends, recovery_date__isnull=True)
        .values_list("employee_id", flat=True)
    )
    kept_dossier = set(
        Case.objects.filter(employee_id__in=ends)
        .exclude(pk__in=purged_cases)
        .values_list("employee_id", flat=True)
    )
    return [
        employee_id
        for employee_id, employment_ends in sorted(ends.items())
        if employee_id not in kept_dossier
        and administrative_expired(
            employment_ends,
            has_open_case=employee_id in open_cases or employee_id in open_reports,
            today=today,
        )
    ]


def _dossier_counts(case_ids: list[int]) -> dict[str, int]:
    return {
        "tasks": CaseTask.objects.filter(case_id__in=case_ids).count(),
        "documents": CaseDocument.objects.filter(case_id__in=case_ids).count(),
        "appointments": Appointment.objects.filter(case_id__in=case_ids).count(),
        "notes": CaseNote.objects.filter(case_id__in=case_ids).count(),
        "advice": WorkAbilityAdvice.objects.filter(case_id__in=case_ids).count(),
        "medical_notes": MedicalNote.objects.filter(case_id__in=case_ids).count(),
    }


def _administrative_counts(employee_ids: list[int]) -> dict[str, int]:
    return {
        "employments": Employment.objects.filter(employee_id__in=employee_ids).count(),
        "sick_reports": SickReport.objects.filter(employee_id__in=employee_ids).count(),
        "mutations": SickReportMutation.objects.filter(
            report__employee_id__in=employee_ids
        ).count(),
    }


def _delete_files(names: list[str]) -> None:
    storage = CaseDocument._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        if name:
            storage.delete(name)


def _purge_case(case: Case) -> dict[str, int]:
    counts = _dossier_counts([case.pk])
    files = list(CaseDocument.objects.filter(case=case).values_list("file", flat=True))
    tenant = case.employee.employer.tenant
    with transaction.atomic():
        record(
            Event.DOSSIER_PURGED,
            tenant=tenant,
            data={
                "kind": "reintegration_dossier",
                "case": case.pk,
                "employee": case.employee_id,
                "recovery_date": case.recovery_date.isoformat() if case.recovery_date else None,
                "own_risk_zw": case.employee.employer.own_risk_zw,
                "counts": counts,
            },
        )
        SickReport.objects.filter(case=case).update(case=None)
        case.delete()
        # The files go only once the rows are gone for good.
        transaction.on_commit(lambda: _delete_files(files))
    return counts


def _purge_employee(employee: Employee) -> dict[str, int]:
    counts = _administrative_counts([employee.pk])
    last_end = employee.employments.aggregate(last=Max("end_date"))["last"]
    with transaction.atomic():
        record(
            Event.DOSSIER_PURGED,
            tenant=employee.employer.tenant,
            data={
                "kind": "administrative",
                "employee": employee.pk,
                "employer": employee.employer_id,
                "employment_ended": last_end.isoformat() if last_end else None,
                "counts": counts,
            },
        )
        # Mutations are append-only (corrections point at what they supersede, PROTECT):
        # the whole history of each report goes at once, newest first.
        for report in SickReport.objects.filter(employee=employee):
            for mutation in report.mutations.order_by("-pk"):
                mutation.delete()
        employee.delete()
    return counts


def purge_expired(*, today: date | None = None, dry_run: bool = False) -> PurgeResult:
    """Remove (or with ``dry_run`` only list) everything past its retention term."""
    today = today or timezone.localdate()
    result = PurgeResult(day=today, dry_run=dry_run)
    result.cases = expired_case_ids(today)
    result.employees = expired_employee_ids(today, set(result.cases))
    if dry_run:
        result.add(_dossier_counts(result.cases))
        result.add(_administrative_counts(result.employees))
        return result
    tenants: set[int] = set()
    for case in Case.objects.filter(pk__in=result.cases).select_related("employee__employer"):
        tenants.add(case.employee.employer.tenant_id)
        result.add(_purge_case(case))
    for employee in Employee.objects.filter(pk__in=result.employees).select_related("employer"):
        tenants.add(employee.employer.tenant_id)
        result.add(_purge_employee(employee))
    for tenant_id in tenants:
        figure_cache.changed(tenant_id)
    return result
