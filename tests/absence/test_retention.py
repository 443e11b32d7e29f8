"""Retention: the pure date rules, and the purge job that applies them (dry run, audit,
files on storage, nothing removed before its term)."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command

from tests.factories import EmployeeFactory
from verzuim.absence.actions import report_change, report_sick
from verzuim.absence.actions.dossier import add_medical_note, add_note
from verzuim.absence.models import (
    AbsenceSegment,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    Employee,
    Employment,
    MedicalNote,
    SickReport,
    SickReportMutation,
)
from verzuim.absence.retention import (
    add_years,
    administrative_expired,
    administrative_kept_until,
    dossier_expired,
    dossier_kept_until,
    purge_expired,
)
from verzuim.audit.models import AuditEvent, Event

AMS = ZoneInfo("Europe/Amsterdam")


# --- pure rules ---------------------------------------------------------------------------


def test_add_years_keeps_the_day_and_moves_29_february():
    assert add_years(date(2024, 3, 1), 2) == date(2026, 3, 1)
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_dossier_term_runs_from_the_last_sick_day():
    # Recovered on 1 March 2024: last sick day 29 February 2024.
    assert dossier_kept_until(date(2024, 3, 1), own_risk_zw=False) == date(2026, 2, 28)
    assert dossier_kept_until(date(2024, 3, 1), own_risk_zw=True) == date(2029, 2, 28)
    assert dossier_kept_until(date(2024, 6, 11), own_risk_zw=False) == date(2026, 6, 10)


@pytest.mark.parametrize(
    ("today", "own_risk", "expired"),
    [
        (date(2026, 6, 10), False, False),  # the last day of the term
        (date(2026, 6, 11), False, True),
        (date(2026, 6, 11), True, False),  # eigenrisicodrager ZW: 5 years
        (date(2029, 6, 10), True, False),
        (date(2029, 6, 11), True, True),
    ],
)
def test_dossier_expiry(today, own_risk, expired):
    assert dossier_expired(date(2024, 6, 11), own_risk, today) is expired


def test_open_case_never_expires():
    assert dossier_expired(None, False, date(2099, 1, 1)) is False


def test_administrative_term_runs_from_the_last_employment_end():
    ends = [date(2020, 1, 31), date(2024, 5, 31)]
    assert administrative_kept_until(ends) == date(2026, 5, 31)
    assert administrative_expired(ends, has_open_case=False, today=date(2026, 5, 31)) is False
    assert administrative_expired(ends, has_open_case=False, today=date(2026, 6, 1)) is True


def test_administrative_data_stays_while_employed_or_sick():
    assert administrative_kept_until([date(2020, 1, 31), None]) is None
    assert (
        administrative_expired(
            [date(2020, 1, 1), None], has_open_case=False, today=date(2099, 1, 1)
        )
        is False
    )
    assert (
        administrative_expired([date(2020, 1, 1)], has_open_case=True, today=date(2099, 1, 1))
        is False
    )
    assert administrative_expired([], has_open_case=False, today=date(2099, 1, 1)) is False


# --- the purge ----------------------------------------------------------------------------


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=AMS), tick=False)


@pytest.fixture
def leaver(employer, sales, hr_user, physician_user, scoped, settings, tmp_path):
    """Sick 1–10 June 2024 (case with a note, a medical note and a document), left on
    31 July 2024."""
    settings.MEDIA_ROOT = tmp_path
    person = EmployeeFactory(
        employer=employer,
        department=sales,
        personnel_number="L1",
        first_name="Lotte",
        employed__start=date(2020, 1, 1),
        employed__end=date(2024, 7, 31),
    )
    with at(date(2024, 6, 20)):
        report = report_sick(employee=person, actor=hr_user, first_sick_day=date(2024, 6, 1))
        report_change(report=report, actor=hr_user, on=date(2024, 6, 11), incapacity=0)
        case = Case.objects.get(employee=person)
        add_note(case=case, actor=hr_user, text="Gesprek gevoerd", visibility="employer")
        add_medical_note(case=case, actor=physician_user, text="ZZMED")
        document = CaseDocument(
            case=case,
            kind="other",
            original_name="brief.pdf",
            content_type="application/pdf",
            size=4,
            uploaded_by=hr_user,
        )
        document.file.save("brief.pdf", ContentFile(b"%PDF"), save=True)
    return person


@pytest.fixture
def stayer(employee, hr_user, scoped):
    """Still employed; sick 1–10 March 2024."""
    with at(date(2024, 3, 20)):
        report = report_sick(employee=employee, actor=hr_user, first_sick_day=date(2024, 3, 1))
        report_change(report=report, actor=hr_user, on=date(2024, 3, 11), incapacity=0)
    return employee


def test_nothing_goes_before_the_term(leaver, stayer):
    result = purge_expired(today=date(2026, 3, 10))
    assert result.cases == [] and result.employees == []
    assert Case.objects.count() == 2


def test_dry_run_lists_ids_and_counts_and_removes_nothing(leaver, stayer):
    case_ids = sorted(Case.objects.values_list("pk", flat=True))
    result = purge_expired(today=date(2026, 8, 1), dry_run=True)
    assert sorted(result.cases) == case_ids
    assert result.employees == [leaver.pk]
    assert result.counts["notes"] == 1 and result.counts["medical_notes"] == 1
    assert result.counts["documents"] == 1 and result.counts["sick_reports"] == 1
    assert Case.objects.count() == 2 and Employee.objects.filter(pk=leaver.pk).exists()
    assert not AuditEvent.objects.filter(event=Event.DOSSIER_PURGED).exists()


def test_purge_removes_dossier_files_and_administrative_data(
    leaver, stayer, django_capture_on_commit_callbacks
):
    document = CaseDocument.objects.get()
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    stayer_case = Case.objects.get(employee=stayer)
    leaver_case = Case.objects.get(employee=leaver)
    with django_capture_on_commit_callbacks(execute=True):
        result = purge_expired(today=date(2026, 8, 1))
    assert result.employees == [leaver.pk]
    # The leaver is gone with everything about them, files included.
    assert not Employee.objects.filter(pk=leaver.pk).exists()
    assert not Employment.objects.filter(employee_id=leaver.pk).exists()
    assert not SickReport.objects.filter(employee_id=leaver.pk).exists()
    assert not SickReportMutation.objects.filter(report__employee_id=leaver.pk).exists()
    assert not AbsenceSegment.objects.filter(employee_id=leaver.pk).exists()
    assert not CaseNote.objects.exists() and not MedicalNote.objects.exists()
    assert not CaseDocument.objects.exists() and not storage.exists(name)
    # The stayer's closed case is past its term too; their sick reports stay while employed.
    assert not Case.objects.filter(pk=stayer_case.pk).exists()
    assert not CaseTask.objects.filter(case_id=stayer_case.pk).exists()
    report = SickReport.objects.get(employee=stayer)
    assert report.case_id is None and report.mutations.count() == 2
    assert AbsenceSegment.objects.filter(employee=stayer).exists()
    events = AuditEvent.objects.filter(event=Event.DOSSIER_PURGED)
    kinds = sorted((e.data["kind"], e.data.get("case"), e.data["employee"]) for e in events)
    assert kinds == sorted(
        [
            ("reintegration_dossier", stayer_case.pk, stayer.pk),
            ("reintegration_dossier", leaver_case.pk, leaver.pk),
            ("administrative", None, leaver.pk),
        ]
    )
    for event in events:
        assert "Lotte" not in str(event.data) and "ZZMED" not in str(event.data)


def test_own_risk_zw_keeps_the_dossier_five_years(leaver, employer):
    employer.own_risk_zw = True
    employer.save()
    result = purge_expired(today=date(2026, 8, 1))
    # The dossier is kept, so the employee (who would take it along) stays too.
    assert result.cases == [] and result.employees == []
    assert Employee.objects.filter(pk=leaver.pk).exists()
    result = purge_expired(today=date(2029, 6, 11))
    assert len(result.cases) == 1 and result.employees == [leaver.pk]


def test_an_open_case_keeps_a_leaver(employer, hr_user, scoped):
    person = EmployeeFactory(
        employer=employer,
        personnel_number="L2",
        employed__start=date(2020, 1, 1),
        employed__end=date(2024, 7, 31),
    )
    with at(date(2024, 7, 1)):
        report_sick(employee=person, actor=hr_user, first_sick_day=date(2024, 7, 1))
    assert purge_expired(today=date(2030, 1, 1)).employees == []
    assert Employee.objects.filter(pk=person.pk).exists()


def test_command_dry_run_prints_ids_not_names(leaver):
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", "--today", "2026-08-01", stdout=out)
    text = out.getvalue()
    assert "dry run: nothing removed" in text
    assert f"employee ids {leaver.pk}" in text
    assert "Lotte" not in text
    assert Employee.objects.filter(pk=leaver.pk).exists()
    call_command("purge_expired", "--today", "2026-08-01", stdout=io.StringIO())
    assert not Employee.objects.filter(pk=leaver.pk).exists()
