"""Ziek melden, herstel melden (partial or full), corrections and withdrawal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence import figure_cache
from verzuim.absence.errors import InvalidReportChange, NotEmployed, ReportOverlaps
from verzuim.absence.history import (
    effective_mutations,
    entries_of,
    is_consistent,
    segment_rows,
    state_of,
)
from verzuim.absence.models import (
    AbsenceSegment,
    Classification,
    Employee,
    ExpectedDuration,
    MutationKind,
    SickReport,
    SickReportMutation,
)
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin

#: How far ahead a report may be dated (a report is about sickness that has started).
MAX_FUTURE_DAYS = 0


def _today() -> date:
    return timezone.localdate()


def apply_history(report: SickReport) -> SickReport:
    """Refresh the report's cached dates, percentage and figure segments from its history."""
    mutations = effective_mutations(report)
    state = state_of(entries_of(mutations))
    report.first_sick_day = state.first_sick_day
    report.recovery_date = state.recovery_date
    report.incapacity = state.incapacity
    report.withdrawn = state.withdrawn
    report.save(update_fields=["first_sick_day", "recovery_date", "incapacity", "withdrawn"])
    report.segments.all().delete()
    AbsenceSegment.objects.bulk_create(
        AbsenceSegment(
            report=report, employee_id=report.employee_id, start_ord=s, end_ord=e, fraction=f
        )
        for s, e, f in segment_rows(state)
    )
    figure_cache.changed(report.employee.employer.tenant_id)
    return report


def _check_employed(employee: Employee, on: date) -> None:
    employed = employee.employments.filter(start_date__lte=on).exclude(end_date__lt=on).exists()
    if not employed:
        raise NotEmployed(_("On that first sick day the employee was not employed."))


def _check_no_overlap(
    employee: Employee, start: date, end: date | None, exclude: int | None
) -> None:
    """Reports of one employee may not overlap (a relapse is a new report after recovery)."""
    others = employee.sick_reports.active()
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for other in others:
        other_end = other.recovery_date or date.max
        this_end = end or date.max
        if start < other_end and other.first_sick_day < this_end:
            if other.recovery_date is None:
                raise ReportOverlaps(
                    _("This employee is already reported sick since %(day)s. Report the "
                      "recovery of that report first.") % {"day": other.first_sick_day}
                )
            raise ReportOverlaps(
                _("This overlaps the sick report from %(start)s to %(end)s.")
                % {"start": other.first_sick_day, "end": other.recovery_date}
            )


def _validated_state(entries: list[tuple[str, date, int]]) -> None:
    """Refuse a history the deadline engine cannot use."""
    if not is_consistent(entries):
        raise InvalidReportChange(
            _("These dates do not fit together: every change must come after the first sick "
              "day, one per day, and nothing can follow a full recovery (report a relapse as "
              "a new sick report).")
        )


def report_sick(
    *,
    employee: Employee,
    actor: Any,
    first_sick_day: date,
    report_date: date | None = None,
    classification: str = Classification.SICK,
    expected_duration: str = ExpectedDuration.UNKNOWN,
    incapacity: int = 100,
    nursing_address: str = "",
    nursing_phone: str = "",
    safety_net: bool = False,
    third_party_liable: bool = False,
    new_work_override: bool = False,
    origin: Origin = SYSTEM,
) -> SickReport:
    from verzuim.absence.actions.cases import rebuild_cases

    today = _today()
    if first_sick_day > today:
        raise InvalidReportChange(_("The first sick day cannot be in the future."))
    if not 1 <= incapacity <= 100:
        raise InvalidReportChange(_("Incapacity must be between 1 and 100 percent."))
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=employee.pk)
        _check_employed(employee, first_sick_day)
        _check_no_overlap(employee, first_sick_day, None, None)
        report = SickReport.objects.create(
            employee=employee,
            report_date=report_date or today,
            classification=classification,
            expected_duration=expected_duration,
            nursing_address=nursing_address,
            nursing_phone=nursing_phone,
            safety_net=safety_net,
            third_party_liable=third_party_liable,
            new_work_override=new_work_override,
            first_sick_day=first_sick_day,
            incapacity=incapacity,
            created_by=actor,
        )
        SickReportMutation.objects.create(
            report=report, kind=MutationKind.REPORTED, effective_date=first_sick_day,
            incapacity=incapacity, author=actor,
        )
        apply_history(report)
        rebuild_cases(employee, today=today)
        record(
            Event.SICK_REPORTED, origin=origin, actor=actor, tenant=employee.employer.tenant,
            data={"employee": employee.pk, "report": report.pk,
                  "first_sick_day": first_sick_day.isoformat()},
        )
    report.refresh_from_db()
    return report


def _lock_report(report_pk: int) -> SickReport:
    """Lock the person, then the report: the order ``report_sick`` uses too, so two changes
    for one person (which both rebuild the person's cases) wait for each other instead of
    deadlocking."""
    employee_id = SickReport.objects.values_list("employee_id", flat=True).get(pk=report_pk)
    list(Employee.objects.select_for_update().filter(pk=employee_id).values_list("pk"))
    return SickReport.objects.select_for_update().get(pk=report_pk)


def report_change(
    *, report: SickReport, actor: Any, on: date, incapacity: int, origin: Origin = SYSTEM
) -> SickReportMutation:
    """Herstel melden: ``incapacity`` 0 is full recovery (``on`` = first day fit); 1–99 a
    partial recovery or increase from ``on``. A report closes only with full recovery."""
    from verzuim.absence.actions.cases import rebuild_cases

    if not 0 <= incapacity <= 100:
        raise InvalidReportChange(_("Incapacity must be between 0 and 100 percent."))
    with transaction.atomic():
        report = _lock_report(report.pk)
        if report.withdrawn or report.recovery_date is not None:
            raise InvalidReportChange(
                _("This report is closed. If the employee is sick again, report them sick anew.")
            )
        if on <= report.first_sick_day:
            raise InvalidReportChange(_("The date must be after the first sick day."))
        if on > _today() + timedelta(days=14):
            raise InvalidReportChange(_("The date can be at most two weeks ahead."))
        latest = max(m.effective_date for m in effective_mutations(report))
        if on <= latest:
            raise InvalidReportChange(
                _("A change on %(day)s exists already; a new one must be later. Correct that "
                  "one instead.")
                % {"day": latest}
            )
        if incapacity == 0:
            kind = MutationKind.FULL_RECOVERY
            # The recovered report may not run into a later report of the same person.
            _check_no_overlap(report.employee, report.first_sick_day, on, report.pk)
        elif incapacity < report.incapacity:
            kind = MutationKind.PARTIAL_RECOVERY
        else:
            kind = MutationKind.INCREASE
        mutation = SickReportMutation.objects.create(
            report=report, kind=kind, effective_date=on, incapacity=incapacity, author=actor
        )
        apply_history(report)
        rebuild_cases(report.employee, today=_today())
        record(
            Event.SICK_REPORT_CHANGED, origin=origin, actor=actor,
            tenant=report.employee.employer.tenant,
            data={"report": report.pk, "kind": kind, "on": on.isoformat(),
                  "incapacity": incapacity},
        )
    return mutation


def correct_mutation(
    *,
    mutation: SickReportMutation,
    actor: Any,
    effective_date: date,
    incapacity: int,
    reason: str,
    origin: Origin = SYSTEM,
) -> SickReportMutation:
    """Correct an entry of the history: a new row supersedes it; nothing is overwritten."""
    from verzuim.absence.actions.cases import rebuild_cases

    if not reason.strip():
        raise InvalidReportChange(_("Say why the correction is needed."))
    with transaction.atomic():
        report = _lock_report(mutation.report_id)
        current = effective_mutations(report)
        current_ids = {m.pk for m in current}
        if mutation.pk not in current_ids or mutation.kind == MutationKind.WITHDRAWN:
            raise InvalidReportChange(_("This entry has already been corrected."))
        if effective_date > _today():
            raise InvalidReportChange(_("The date cannot be in the future."))
        mutation = next(m for m in current if m.pk == mutation.pk)
        is_start = mutation.root_kind == MutationKind.REPORTED  # type: ignore[attr-defined]
        if is_start and not 1 <= incapacity <= 100:
            raise InvalidReportChange(_("Incapacity must be between 1 and 100 percent."))
        if not 0 <= incapacity <= 100:
            raise InvalidReportChange(_("Incapacity must be between 0 and 100 percent."))
        entries = entries_of([m for m in current if m.pk != mutation.pk])
        entries.append((mutation.root_kind, effective_date, incapacity))  # type: ignore[attr-defined]
        _validated_state(entries)
        state = state_of(entries)
        if is_start:
            _check_employed(report.employee, state.first_sick_day)
        _check_no_overlap(report.employee, state.first_sick_day, state.recovery_date, report.pk)
        correction = SickReportMutation.objects.create(
            report=report, kind=MutationKind.CORRECTION, effective_date=effective_date,
            incapacity=incapacity, supersedes=mutation, reason=reason.strip()[:300],
            author=actor,
        )
        apply_history(report)
        rebuild_cases(report.employee, today=_today())
        record(
            Event.SICK_REPORT_CORRECTED, origin=origin, actor=actor,
            tenant=report.employee.employer.tenant,
            data={"report": report.pk, "corrected": mutation.pk, "on": effective_date.isoformat(),
                  "incapacity": incapacity},
        )
    return correction


def withdraw_report(
    *, report: SickReport, actor: Any, reason: str, origin: Origin = SYSTEM
) -> SickReport:
    """A report made in error: kept in the history, left out of cases and figures."""
    from verzuim.absence.actions.cases import rebuild_cases

    if not reason.strip():
        raise InvalidReportChange(_("Say why the report is withdrawn."))
    with transaction.atomic():
        report = _lock_report(report.pk)
        if report.withdrawn:
            raise InvalidReportChange(_("This report has already been withdrawn."))
        SickReportMutation.objects.create(
            report=report, kind=MutationKind.WITHDRAWN, effective_date=_today(),
            incapacity=report.incapacity, reason=reason.strip()[:300], author=actor,
        )
        apply_history(report)
        rebuild_cases(report.employee, today=_today())
        record(
            Event.SICK_REPORT_WITHDRAWN, origin=origin, actor=actor,
            tenant=report.employee.employer.tenant, data={"report": report.pk},
        )
    return report
