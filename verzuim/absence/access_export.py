"""Right of access (art. 15 AVG): everything stored about one employee, for the support desk.

The export holds the employee, their employment records, sick reports with the full
mutation history, cases with tasks, appointments, notes, work ability advice, the list of
documents (metadata only; a medical document's name only for the physician) and the audit
events that mention them. Medical notes are included only when the exporting user is the
occupational physician; otherwise the export says how many exist and that the bedrijfsarts
provides the medical file.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence.models import (
    Case,
    CaseDocument,
    Confidentiality,
    Employee,
    MedicalNote,
    SickReport,
)
from verzuim.absence.scope import is_physician
from verzuim.audit.actions import record
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.request import SYSTEM, Origin

FORMAT_VERSION = 1
MEDICAL_FILE_EXPLANATION = _(
    "Medical notes are not part of this export. The medical file is kept by the occupational "
    "physician (bedrijfsarts), who provides it on request."
)


def find_employee(tenant: Any, employer_id: int, personnel_number: str) -> Employee | None:
    """The employee of ``tenant``'s employer with this personeelsnummer, if any."""
    return (
        Employee.objects.filter(
            employer__tenant=tenant,
            employer_id=employer_id,
            personnel_number=personnel_number.strip(),
        )
        .select_related("employer", "department", "manager")
        .first()
    )


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _person(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def _reports(employee: Employee) -> list[dict[str, Any]]:
    reports = (
        SickReport.objects.filter(employee=employee)
        .prefetch_related("mutations__author", "created_by")
        .order_by("first_sick_day", "pk")
    )
    return [
        {
            "id": r.pk,
            "case": r.case_id,
            "report_date": _day(r.report_date),
            "first_sick_day": _day(r.first_sick_day),
            "recovery_date": _day(r.recovery_date),
            "current_incapacity": r.incapacity,
            "classification": r.get_classification_display(),
            "expected_duration": r.get_expected_duration_display(),
            "nursing_address": r.nursing_address,
            "nursing_phone": r.nursing_phone,
            "safety_net": r.safety_net,
            "third_party_liable": r.third_party_liable,
            "new_work_override": r.new_work_override,
            "withdrawn": r.withdrawn,
            "reported_by": _person(r.created_by),
            "created_at": _day(r.created_at),
            "history": [
                {
                    "id": m.pk,
                    "kind": m.get_kind_display(),
                    "date": _day(m.effective_date),
                    "incapacity": m.incapacity,
                    "corrects": m.supersedes_id,
                    "reason": m.reason,
                    "by": _person(m.author),
                    "recorded_at": _day(m.created_at),
                }
                for m in r.mutations.all()
            ],
        }
        for r in reports
    ]


def _cases(employee: Employee, exporter: Any) -> list[dict[str, Any]]:
    physician = is_physician(exporter)
    readable_medical: dict[int, list[MedicalNote]] = {}
    if physician:
        for note in (
            MedicalNote.objects.for_physician(exporter)
            .filter(case__employee=employee)
            .select_related("author")
        ):
            readable_medical.setdefault(note.case_id, []).append(note)
    cases = (
        Case.objects.filter(employee=employee)
        .select_related("protocol")
        .prefetch_related(
            "tasks", "appointments", "notes__author", "advice__author", "documents__uploaded_by"
        )
        .order_by("first_sick_day", "pk")
    )
    out = []
    for case in cases:
        medical_count = MedicalNote.objects.filter(case=case).count()
        readable = readable_medical.get(case.pk, [])
        if physician and len(readable) == medical_count:
            medical: dict[str, Any] = {
                "count": medical_count,
                "notes": [
                    {"id": n.pk, "text": n.text, "by": _person(n.author), "at": _day(n.created_at)}
                    for n in readable
                ],
            }
        else:
            medical = {
                "count": medical_count,
                "notes": [],
                "explanation": str(MEDICAL_FILE_EXPLANATION),
            }
        out.append(
            {
                "id": case.pk,
                "first_sick_day": _day(case.first_sick_day),
                "recovery_date": _day(case.recovery_date),
                "fit_days_between": case.fit_days_between,
                "protocol_version": case.protocol.version,
                "tasks": [
                    {
                        "id": t.pk,
                        "task": t.title,
                        "responsible": t.role,
                        "due": _day(t.due_date),
                        "window_end": _day(t.window_end),
                        "deadline": _day(t.deadline),
                        "status": t.get_state_display(),
                        "done_at": _day(t.done_at),
                    }
                    for t in case.tasks.all()
                ],
                "appointments": [
                    {
                        "id": a.pk,
                        "with": a.get_with_role_display(),
                        "at": _day(a.starts_at),
                        "place": a.location,
                    }
                    for a in case.appointments.all()
                ],
                "notes": [
                    {
                        "id": n.pk,
                        "text": n.text,
                        "visible_to": n.get_visibility_display(),
                        "by": _person(n.author),
                        "at": _day(n.created_at),
                    }
                    for n in case.notes.all()
                ],
                "work_ability_advice": [
                    {
                        "id": a.pk,
                        "limitations": a.limitations,
                        "expected_duration": a.expected_duration,
                        "incapacity": a.incapacity,
                        "by": _person(a.author),
                        "at": _day(a.created_at),
                    }
                    for a in case.advice.all()
                ],
                "documents": [
                    {
                        "id": d.pk,
                        "type": d.get_kind_display(),
                        # A medical document's name is medical data: the physician's alone.
                        "file_name": d.original_name
                        if physician or d.confidentiality != Confidentiality.MEDICAL
                        else None,
                        "content_type": d.content_type,
                        "size": d.size,
                        "who_may_read": d.get_confidentiality_display(),
                        "uploaded_by": _person(d.uploaded_by),
                        "at": _day(d.uploaded_at),
                    }
                    for d in case.documents.all()
                ],
                "medical_notes": medical,
            }
        )
    return out


def mentioning_events(employee: Employee) -> list[AuditEvent]:
    """Audit events whose details name this employee or one of their records."""
    report_ids = list(SickReport.objects.filter(employee=employee).values_list("pk", flat=True))
    case_ids = list(Case.objects.filter(employee=employee).values_list("pk", flat=True))
    doc_ids = list(
        CaseDocument.objects.filter(case__employee=employee).values_list("pk", flat=True)
    )
    mention = Q(data__employee=employee.pk)
    if report_ids:
        mention |= Q(data__report__in=report_ids)
    if case_ids:
        mention |= Q(data__case__in=case_ids)
    if doc_ids:
        mention |= Q(data__document__in=doc_ids)
    return list(
        AuditEvent.objects.for_tenant(employee.employer.tenant)
        .filter(mention)
        .select_related("actor")
        .order_by("at", "pk")
    )


def build_export(employee: Employee, *, exporter: Any) -> dict[str, Any]:
    """Everything stored about ``employee``, as plain JSON-ready data."""
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _day(timezone.now()),
        "employee": {
            "id": employee.pk,
            "employer": employee.employer.name,
            "personnel_number": employee.personnel_number,
            "first_name": employee.first_name,
            "last_name": employee.last_name,
            "date_of_birth": _day(employee.date_of_birth),
            "email": employee.email,
            "phone": employee.phone,
            "department": employee.department.name if employee.department else None,
            "manager": _person(employee.manager),
            "created_at": _day(employee.created_at),
            "updated_at": _day(employee.updated_at),
        },
        "employments": [
            {
                "start_date": _day(e.start_date),
                "end_date": _day(e.end_date),
                "contract_hours": str(e.contract_hours),
                "fulltime_hours": str(e.fulltime_hours),
                "department": e.department.name if e.department else None,
                "manager": _person(e.manager),
            }
            for e in employee.employments.select_related("department", "manager").order_by(
                "start_date"
            )
        ],
        "sick_reports": _reports(employee),
        "cases": _cases(employee, exporter),
        "audit_events": [
            {
                "at": _day(e.at),
                "event": e.get_event_display(),
                "code": e.event,
                "by": _person(e.actor),
                "details": e.data,
            }
            for e in mentioning_events(employee)
        ],
    }


def export_employee(
    employee: Employee, *, actor: Any, fmt: str, reason: str = "", origin: Origin = SYSTEM
) -> dict[str, Any]:
    """Build the export and write its audit row (ACCESS_EXPORT)."""
    with transaction.atomic():
        data = build_export(employee, exporter=actor)
        record(
            Event.ACCESS_EXPORT,
            origin=origin,
            actor=actor,
            tenant=employee.employer.tenant,
            data={
                "employee": employee.pk,
                "employer": employee.employer_id,
                "format": fmt,
                "reason": reason.strip()[:500],
                "exporter_is_physician": is_physician(actor),
            },
        )
    return data


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
