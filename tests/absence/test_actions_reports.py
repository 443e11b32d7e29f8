"""report_sick / report_change / correct_mutation / withdraw_report through the database:
samentellen, deadlines that follow the history, tasks, refusals and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import EmployeeFactory
from verzuim.absence.actions import (
    correct_mutation,
    report_change,
    report_sick,
    withdraw_report,
)
from verzuim.absence.actions.dossier import add_document, add_note, mark_task_done
from verzuim.absence.errors import InvalidReportChange, NotEmployed, ReportOverlaps
from verzuim.absence.history import effective_mutations
from verzuim.absence.models import (
    AbsenceSegment,
    Case,
    CaseDocument,
    CaseNote,
    CaseTask,
    MutationKind,
    SickReport,
    SickReportMutation,
    TaskState,
)
from verzuim.audit.models import AuditEvent, Event

TODAY = date(2026, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(
        datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False
    ):
        yield


@pytest.fixture
def hr(hr_user, scoped):
    return hr_user


def sick(employee, actor, start, **kwargs):
    return report_sick(employee=employee, actor=actor, first_sick_day=start, **kwargs)


def recover(report, actor, on):
    return report_change(report=report, actor=actor, on=on, incapacity=0)


def task(case, key):
    return CaseTask.objects.get(case=case, key=key)


def first_entry(report):
    return next(m for m in effective_mutations(report) if m.root_kind == MutationKind.REPORTED)


# --- ziek melden -------------------------------------------------------------------------


def test_report_sick_opens_a_case_with_tasks_and_an_audit_row(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    assert report.first_sick_day == date(2026, 5, 4)
    assert report.incapacity == 100 and report.is_open
    case = report.case
    assert case is not None and case.first_sick_day == date(2026, 5, 4) and case.is_open
    assert [(m.kind, m.effective_date, m.incapacity) for m in report.mutations.all()] == [
        (MutationKind.REPORTED, date(2026, 5, 4), 100)
    ]
    # Week 6: last day of the sixth sick week (day 42).
    assert task(case, "problem_analysis").deadline == date(2026, 6, 14)
    assert task(case, "problem_analysis").state == TaskState.OPEN
    event = AuditEvent.objects.get(event=Event.SICK_REPORTED)
    assert event.actor == hr
    assert event.data == {
        "employee": employee.pk,
        "report": report.pk,
        "first_sick_day": "2026-05-04",
    }
    assert "Sara" not in str(event.data) and "Vries" not in str(event.data)


def test_partial_incapacity_at_report_makes_a_partial_segment(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4), incapacity=60)
    assert report.incapacity == 60
    assert list(report.segments.values_list("fraction", flat=True)) == [0.6]


@pytest.mark.parametrize("incapacity", [0, 101, -5])
def test_report_sick_refuses_impossible_percentages(employee, hr, incapacity):
    with pytest.raises(InvalidReportChange):
        sick(employee, hr, date(2026, 5, 4), incapacity=incapacity)
    assert not SickReport.objects.exists()


def test_report_sick_refuses_the_future(employee, hr):
    with pytest.raises(InvalidReportChange):
        sick(employee, hr, TODAY + timedelta(days=1))
    assert sick(employee, hr, TODAY).first_sick_day == TODAY


def test_nothing_before_employment_start_or_after_its_end(employer, hr):
    newcomer = EmployeeFactory(employer=employer, employed__start=date(2026, 3, 1))
    with pytest.raises(NotEmployed):
        sick(newcomer, hr, date(2026, 2, 28))
    assert sick(newcomer, hr, date(2026, 3, 1)).first_sick_day == date(2026, 3, 1)

    leaver = EmployeeFactory(employer=employer, employed__end=date(2026, 4, 30))
    with pytest.raises(NotEmployed):
        sick(leaver, hr, date(2026, 5, 1))
    assert SickReport.objects.filter(employee=leaver).count() == 0


def test_correction_cannot_move_the_start_before_employment(employer, hr):
    newcomer = EmployeeFactory(employer=employer, employed__start=date(2026, 3, 1))
    report = sick(newcomer, hr, date(2026, 3, 10))
    with pytest.raises(NotEmployed):
        correct_mutation(
            mutation=first_entry(report),
            actor=hr,
            effective_date=date(2026, 2, 20),
            incapacity=100,
            reason="typo",
        )


def test_an_open_report_blocks_a_second_one(employee, hr):
    sick(employee, hr, date(2026, 5, 4))
    with pytest.raises(ReportOverlaps):
        sick(employee, hr, date(2026, 5, 20))
    with pytest.raises(ReportOverlaps):
        sick(employee, hr, date(2026, 4, 1))
    assert SickReport.objects.count() == 1


def test_a_report_inside_a_closed_one_is_refused(employee, hr):
    first = sick(employee, hr, date(2026, 3, 2))
    recover(first, hr, date(2026, 3, 16))
    with pytest.raises(ReportOverlaps):
        sick(employee, hr, date(2026, 3, 10))
    with pytest.raises(ReportOverlaps):
        sick(employee, hr, date(2026, 2, 20))  # open, so it would run into the March report
    # Sick again on the first day fit: no overlap, zero fit days, same case.
    again = sick(employee, hr, date(2026, 3, 16))
    assert again.case_id == first.case_id


# --- samentellen (art. 7:629 lid 10 BW) -----------------------------------------------------


@pytest.mark.parametrize(("fit_days", "cases"), [(27, 1), (28, 2), (29, 2)])
def test_samentellen_by_fit_days_between(employee, hr, fit_days, cases):
    """Fewer than four weeks (28 days) fit in between adds the reports together."""
    first = sick(employee, hr, date(2026, 2, 2))
    recover(first, hr, date(2026, 2, 16))
    second = sick(employee, hr, date(2026, 2, 16) + timedelta(days=fit_days))
    first.refresh_from_db()
    assert Case.objects.filter(employee=employee).count() == cases
    assert (first.case_id == second.case_id) is (cases == 1)
    if cases == 1:
        assert second.case.fit_days_between == fit_days
        assert second.case.first_sick_day == date(2026, 2, 2)
    else:
        assert second.case.first_sick_day == second.first_sick_day
        assert second.case.fit_days_between == 0


def test_relapse_shifts_every_deadline_by_the_fit_days(employee, hr):
    first = sick(employee, hr, date(2026, 2, 2))
    case = first.case
    before = {t.key: t.deadline for t in case.tasks.all()}
    recover(first, hr, date(2026, 2, 12))  # 10 sick days
    relapse = sick(employee, hr, date(2026, 2, 22))  # 10 fit days, then sick again
    assert relapse.case_id == case.pk
    case.refresh_from_db()
    assert case.is_open and case.fit_days_between == 10
    after = {t.key: t.deadline for t in case.tasks.all()}
    # Week 1 fell inside the first period and stays; every later deadline moves 10 days.
    assert after["report_health_service"] == before["report_health_service"]
    for key in ("problem_analysis", "action_plan", "report_uwv", "end_of_wage_payment"):
        assert after[key] == before[key] + timedelta(days=10), key


def test_partial_recovery_keeps_the_case_and_its_deadlines(employee, hr):
    report = sick(employee, hr, date(2026, 3, 2))
    case = report.case
    deadlines = {t.key: (t.deadline, t.state) for t in case.tasks.all()}
    mutation = report_change(report=report, actor=hr, on=date(2026, 4, 1), incapacity=50)
    assert mutation.kind == MutationKind.PARTIAL_RECOVERY
    report.refresh_from_db()
    case.refresh_from_db()
    assert report.is_open and report.incapacity == 50
    assert case.is_open and Case.objects.count() == 1
    assert {t.key: (t.deadline, t.state) for t in case.tasks.all()} == deadlines
    segments = list(report.segments.order_by("start_ord").values_list("start_ord", "fraction"))
    assert segments == [(date(2026, 3, 2).toordinal(), 1.0), (date(2026, 4, 1).toordinal(), 0.5)]
    increase = report_change(report=report, actor=hr, on=date(2026, 4, 15), incapacity=80)
    assert increase.kind == MutationKind.INCREASE


def test_full_recovery_lapses_tasks_not_reached_and_keeps_the_rest(employee, hr):
    report = sick(employee, hr, date(2026, 1, 5))
    case = report.case
    mark_task_done(task=task(case, "report_health_service"), actor=hr)
    recover(report, hr, date(2026, 3, 1))  # 55 sick days: day 42 reached, day 56 not
    case.refresh_from_db()
    assert case.recovery_date == date(2026, 3, 1) and not case.is_open
    assert task(case, "report_health_service").state == TaskState.DONE
    assert task(case, "problem_analysis").state == TaskState.OPEN  # was due, still owed
    assert task(case, "action_plan").state == TaskState.LAPSED
    assert task(case, "report_uwv").state == TaskState.LAPSED


def test_relapse_reopens_lapsed_tasks_and_keeps_done_ones(employee, hr):
    report = sick(employee, hr, date(2026, 1, 5))
    case = report.case
    mark_task_done(task=task(case, "report_health_service"), actor=hr)
    recover(report, hr, date(2026, 2, 1))  # 27 sick days
    assert task(case, "problem_analysis").state == TaskState.LAPSED
    relapse = sick(employee, hr, date(2026, 2, 15))  # 14 fit days
    assert relapse.case_id == case.pk
    assert task(case, "report_health_service").state == TaskState.DONE
    reopened = task(case, "problem_analysis")
    assert reopened.state == TaskState.OPEN
    # Day 42 = 27 days in January + 15th day of the relapse.
    assert reopened.deadline == date(2026, 3, 1)


def test_override_starts_a_new_case_despite_a_short_gap(employee, hr):
    first = sick(employee, hr, date(2026, 3, 2))
    recover(first, hr, date(2026, 3, 16))
    second = sick(employee, hr, date(2026, 3, 20), new_work_override=True)
    first.refresh_from_db()
    assert first.case_id != second.case_id
    assert second.case.first_sick_day == date(2026, 3, 20)
    assert Case.objects.filter(employee=employee).count() == 2


# --- herstel melden -----------------------------------------------------------------------


def test_report_change_refusals(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    with pytest.raises(InvalidReportChange):
        report_change(report=report, actor=hr, on=date(2026, 5, 4), incapacity=0)
    with pytest.raises(InvalidReportChange):
        report_change(report=report, actor=hr, on=TODAY + timedelta(days=15), incapacity=0)
    with pytest.raises(InvalidReportChange):
        report_change(report=report, actor=hr, on=date(2026, 5, 10), incapacity=101)
    report_change(report=report, actor=hr, on=date(2026, 5, 10), incapacity=50)
    with pytest.raises(InvalidReportChange):  # not after the latest change
        report_change(report=report, actor=hr, on=date(2026, 5, 10), incapacity=0)
    recover(report, hr, date(2026, 5, 20))
    with pytest.raises(InvalidReportChange):  # closed
        report_change(report=report, actor=hr, on=date(2026, 5, 25), incapacity=50)
    assert report.mutations.count() == 3


def test_recovery_may_be_announced_up_to_two_weeks_ahead(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    recover(report, hr, TODAY + timedelta(days=14))
    report.refresh_from_db()
    assert report.recovery_date == TODAY + timedelta(days=14)


def test_recovery_that_would_run_into_a_later_report_is_refused(employee, hr):
    first = sick(employee, hr, date(2026, 3, 2))
    recover(first, hr, date(2026, 3, 16))
    second = sick(employee, hr, date(2026, 4, 1))
    # Correct the first report's recovery to after the second started: overlap.
    recovery = next(m for m in effective_mutations(first) if m.kind == MutationKind.FULL_RECOVERY)
    with pytest.raises(ReportOverlaps):
        correct_mutation(
            mutation=recovery,
            actor=hr,
            effective_date=date(2026, 4, 5),
            incapacity=0,
            reason="later",
        )
    assert second.case_id == SickReport.objects.get(pk=second.pk).case_id


# --- corrections ----------------------------------------------------------------------------


def test_correction_supersedes_and_never_overwrites(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    original = first_entry(report)
    correction = correct_mutation(
        mutation=original,
        actor=hr,
        effective_date=date(2026, 5, 1),
        incapacity=100,
        reason="Reported a few days late",
    )
    report.refresh_from_db()
    assert report.first_sick_day == date(2026, 5, 1)
    assert report.case.first_sick_day == date(2026, 5, 1)
    original.refresh_from_db()
    assert original.effective_date == date(2026, 5, 4)  # untouched
    assert correction.supersedes_id == original.pk and correction.kind == MutationKind.CORRECTION
    assert [m.pk for m in effective_mutations(report)] == [correction.pk]
    with pytest.raises(InvalidReportChange):  # already corrected
        correct_mutation(
            mutation=original,
            actor=hr,
            effective_date=date(2026, 5, 2),
            incapacity=100,
            reason="again",
        )
    # A correction of the correction still counts as the start.
    correct_mutation(
        mutation=correction,
        actor=hr,
        effective_date=date(2026, 5, 2),
        incapacity=100,
        reason="again",
    )
    report.refresh_from_db()
    assert report.first_sick_day == date(2026, 5, 2)
    assert report.mutations.count() == 3


def test_correction_needs_a_reason_and_a_possible_history(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    report_change(report=report, actor=hr, on=date(2026, 5, 10), incapacity=50)
    partial = next(
        m for m in effective_mutations(report) if m.kind == MutationKind.PARTIAL_RECOVERY
    )
    with pytest.raises(InvalidReportChange):
        correct_mutation(
            mutation=partial, actor=hr, effective_date=date(2026, 5, 11), incapacity=40, reason="  "
        )
    with pytest.raises(InvalidReportChange):  # before the first sick day
        correct_mutation(
            mutation=partial,
            actor=hr,
            effective_date=date(2026, 5, 3),
            incapacity=40,
            reason="wrong",
        )
    with pytest.raises(InvalidReportChange):  # future
        correct_mutation(
            mutation=partial,
            actor=hr,
            effective_date=TODAY + timedelta(days=1),
            incapacity=40,
            reason="wrong",
        )
    with pytest.raises(InvalidReportChange):  # a start of 0 %
        correct_mutation(
            mutation=first_entry(report),
            actor=hr,
            effective_date=date(2026, 5, 4),
            incapacity=0,
            reason="wrong",
        )
    assert report.mutations.count() == 2


def test_corrections_that_merge_and_split_cases_lose_nothing(employee, hr, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = sick(employee, hr, date(2026, 1, 5))
    recover(first, hr, date(2026, 1, 19))
    second = sick(employee, hr, date(2026, 3, 2))  # 42 fit days: a case of its own
    first.refresh_from_db()
    assert first.case_id != second.case_id
    add_note(case=second.case, actor=hr, text="Spoke about adjusted hours", visibility="employer")
    add_document(
        case=second.case,
        actor=hr,
        kind="action_plan",
        confidentiality="employer",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan", "application/pdf"),
    )
    add_note(case=first.case, actor=hr, text="First note", visibility="employer")
    mark_task_done(task=task(second.case, "report_health_service"), actor=hr)

    # Merge: the second report really started on 2 February (14 fit days).
    correct_mutation(
        mutation=first_entry(second),
        actor=hr,
        effective_date=date(2026, 2, 2),
        incapacity=100,
        reason="Wrong month",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.case_id == second.case_id
    merged = first.case
    assert Case.objects.filter(employee=employee).count() == 1
    assert merged.fit_days_between == 14
    assert CaseNote.objects.filter(case=merged).count() == 2
    assert CaseDocument.objects.filter(case=merged).count() == 1
    assert task(merged, "report_health_service").state == TaskState.DONE

    # Split again: everything stays on an existing case of this employee.
    correct_mutation(
        mutation=first_entry(second),
        actor=hr,
        effective_date=date(2026, 3, 2),
        incapacity=100,
        reason="It was March after all",
    )
    assert Case.objects.filter(employee=employee).count() == 2
    assert CaseNote.objects.filter(case__employee=employee).count() == 2
    assert CaseDocument.objects.filter(case__employee=employee).count() == 1
    assert SickReportMutation.objects.filter(report__employee=employee).count() == 5


# --- withdrawal -----------------------------------------------------------------------------


def test_withdrawal_removes_an_empty_case(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    with pytest.raises(InvalidReportChange):
        withdraw_report(report=report, actor=hr, reason=" ")
    withdraw_report(report=report, actor=hr, reason="Wrong employee")
    report.refresh_from_db()
    assert report.withdrawn and report.case_id is None
    assert not Case.objects.exists()
    assert not AbsenceSegment.objects.exists()
    assert report.mutations.count() == 2  # kept in the history
    with pytest.raises(InvalidReportChange):
        withdraw_report(report=report, actor=hr, reason="again")
    # The employee can be reported sick for those days after all.
    assert sick(employee, hr, date(2026, 5, 4)).case is not None


def test_withdrawal_keeps_a_case_that_holds_a_dossier(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    case = report.case
    add_note(case=case, actor=hr, text="Called the employee", visibility="employer")
    withdraw_report(report=report, actor=hr, reason="Entered in error")
    case.refresh_from_db()
    assert not case.is_open
    assert CaseNote.objects.filter(case=case).count() == 1
    assert not case.tasks.filter(state=TaskState.OPEN).exists()


def test_withdrawing_the_middle_report_splits_the_case(employee, hr):
    a = sick(employee, hr, date(2026, 1, 5))
    recover(a, hr, date(2026, 1, 19))
    b = sick(employee, hr, date(2026, 2, 2))
    recover(b, hr, date(2026, 2, 9))
    c = sick(employee, hr, date(2026, 2, 23))
    a.refresh_from_db()
    assert a.case_id == c.case_id  # 14 + 14 fit days
    withdraw_report(report=b, actor=hr, reason="Was on holiday")
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.case_id != c.case_id  # 35 fit days now


# --- history and audit ----------------------------------------------------------------------


def test_mutations_are_append_only(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    mutation = report.mutations.get()
    mutation.incapacity = 50
    with pytest.raises(PermissionError):
        mutation.save()
    with pytest.raises(PermissionError):
        SickReportMutation.objects.filter(pk=mutation.pk).update(incapacity=50)


def test_every_change_is_audited_with_ids_only(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    report_change(report=report, actor=hr, on=date(2026, 5, 11), incapacity=50)
    correct_mutation(
        mutation=first_entry(report),
        actor=hr,
        effective_date=date(2026, 5, 5),
        incapacity=100,
        reason="Sara said Tuesday",
    )
    recover(report, hr, date(2026, 5, 18))
    withdraw_report(report=report, actor=hr, reason="Sara was on holiday")
    events = list(AuditEvent.objects.order_by("id").values_list("event", flat=True))
    assert events == [
        Event.SICK_REPORTED,
        Event.SICK_REPORT_CHANGED,
        Event.SICK_REPORT_CORRECTED,
        Event.SICK_REPORT_CHANGED,
        Event.SICK_REPORT_WITHDRAWN,
    ]
    for event in AuditEvent.objects.all():
        assert event.actor_id == hr.pk
        assert event.tenant_id == employee.employer.tenant_id
        assert "Sara" not in str(event.data)
        assert event.data["report"] == report.pk


def test_a_refused_change_writes_nothing(employee, hr):
    report = sick(employee, hr, date(2026, 5, 4))
    before = AuditEvent.objects.count(), SickReportMutation.objects.count()
    with pytest.raises(InvalidReportChange):
        report_change(report=report, actor=hr, on=date(2026, 5, 1), incapacity=0)
    with pytest.raises(ReportOverlaps):
        sick(employee, hr, date(2026, 5, 20))
    assert (AuditEvent.objects.count(), SickReportMutation.objects.count()) == before
