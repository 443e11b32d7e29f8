"""Concurrent changes to one person's sick leave never fail with a server error (found by
`make security-scan`: a deadlock and an integrity error under parallel form posts).
PostgreSQL only: SQLite runs writers one after the other."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from django.http import Http404

from tests.conftest import is_postgres
from tests.factories import EmployeeFactory, EmployerFactory
from tests.security.replay_support import race
from verzuim.absence.actions import report_sick
from verzuim.absence.actions.dossier import add_note
from verzuim.absence.actions.reports import report_change, withdraw_report
from verzuim.absence.errors import AbsenceError
from verzuim.absence.models import Case, CaseNote, SickReport
from verzuim.core.request import SYSTEM

ROUNDS = 5
FIRST = date.today() - timedelta(days=1500)


@pytest.fixture
def postgres_only():
    if not is_postgres():
        pytest.skip("needs PostgreSQL: SQLite has one writer, so nothing would race")


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


@pytest.fixture
def new_person(tenant):
    employer = EmployerFactory(tenant=tenant)
    return lambda: EmployeeFactory(employer=employer)


def _attempt(action):
    """Run one racing action: an expected refusal is an answer, anything else a failure."""
    def run():
        try:
            action()
        except (AbsenceError, Http404) as refused:
            return type(refused).__name__
        return "ok"
    return run


def test_a_new_report_and_changes_to_an_older_one_wait_for_each_other(
    new_person, case_manager_user
):
    """report_sick locked the person first, changes the report first: a deadlock. Now every
    change locks the person first."""
    for _round in range(ROUNDS):
        person, start = new_person(), FIRST
        old = report_sick(employee=person, actor=case_manager_user, first_sick_day=start)
        results = race([
            _attempt(partial(report_change, report=old, actor=case_manager_user,
                             on=start + timedelta(days=3), incapacity=0)),
            _attempt(partial(withdraw_report, report=old, actor=case_manager_user,
                             reason="Dubbel gemeld")),
            _attempt(partial(report_sick, employee=person, actor=case_manager_user,
                             first_sick_day=start + timedelta(days=60))),
        ])
        # Whatever the order, each gets an answer: done, or refused with a reason.
        assert "ok" in results and set(results) <= {"ok", "InvalidReportChange",
                                                    "ReportOverlaps"}, results
        made = SickReport.objects.filter(employee=person, first_sick_day=start + timedelta(days=60))
        assert made.exists() is (results[2] == "ok")


def test_a_note_added_while_the_last_report_is_withdrawn_is_kept_or_told_gone(
    new_person, case_manager_user
):
    """_retire deleted a case while a note was being added to it: an IntegrityError. Now
    the case is held: the note lands and the case stays, or the user hears it is gone."""
    outcomes = []
    for _round in range(ROUNDS):
        report = report_sick(employee=new_person(), actor=case_manager_user,
                             first_sick_day=FIRST)
        case = Case.objects.get(reports=report)
        results = race([
            _attempt(partial(withdraw_report, report=report, actor=case_manager_user,
                             reason="Ten onrechte gemeld")),
            _attempt(partial(add_note, case=case, actor=case_manager_user, text="Gebeld",
                             visibility="case_team", origin=SYSTEM)),
        ])
        assert results[0] == "ok"
        note_kept = CaseNote.objects.filter(case_id=case.pk).exists()
        assert results[1] == ("ok" if note_kept else "Http404"), results
        assert Case.objects.filter(pk=case.pk).exists() is note_kept
        outcomes.append(results[1])
    assert set(outcomes) <= {"ok", "Http404"}
