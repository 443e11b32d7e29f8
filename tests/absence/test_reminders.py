"""Daily task reminder e-mails: who gets one, what it says (and does not say), once per
deadline, at most once a day, queued by the worker exactly once however many run."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import EmployeeFactory, UserFactory, grant_scope
from verzuim.absence.actions import report_change, report_sick
from verzuim.absence.models import CaseTask, ScheduledRun
from verzuim.absence.reminders import send_task_reminders
from verzuim.absence.tasks import claim_day
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.models import OutgoingMessage
from verzuim.messaging.worker import MessageWorker

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
FIRST = date(2026, 3, 2)


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=AMS), tick=False)


@pytest.fixture
def sick(employee, hr_user, case_manager_user, physician_user, scoped):
    with at(FIRST):
        return report_sick(employee=employee, actor=hr_user, first_sick_day=FIRST)


def mails(to=None):
    qs = OutgoingMessage.objects.filter(channel="email")
    return list(qs.filter(to=to) if to else qs)


def test_responsible_user_gets_counts_and_a_link_only(
    sick, hr_user, case_manager_user, physician_user, manager_user
):
    with at(FIRST + timedelta(days=1)):
        result = send_task_reminders()
    # Week 1 (deadline 8 March, the employer's) is the only task due within 7 days.
    assert [d.user_id for d in result.digests] == [hr_user.pk]
    [mail] = mails()
    assert mail.to == hr_user.email
    assert "1 task is due within 7 days" in mail.body
    assert "http://testserver/verzuim/actiemonitor/" in mail.body
    assert "/verzuim/actiemonitor/" in mail.html_body
    for secret in ("Sara", "de Vries", "1001", "Bakkerij"):
        assert secret not in mail.body and secret not in mail.html_body
        assert secret not in mail.subject
    event = AuditEvent.objects.get(event=Event.TASK_REMINDERS_SENT)
    assert event.data == {"day": "2026-03-03", "emails": 1, "tasks": 1}


def test_each_task_is_reminded_once_per_deadline(sick, hr_user):
    with at(FIRST + timedelta(days=1)):
        send_task_reminders()
    with at(FIRST + timedelta(days=2)):
        assert send_task_reminders().emails == 0
    with at(FIRST + timedelta(days=10)):  # now overdue, but reminded for this deadline
        assert send_task_reminders().emails == 0
    assert len(mails()) == 1
    task = CaseTask.objects.get(case=sick.case, key="report_health_service")
    assert task.reminded_for == task.deadline


def test_a_moved_deadline_is_reminded_again(sick, hr_user):
    with at(FIRST + timedelta(days=1)):
        send_task_reminders()
        report_change(report=sick, actor=hr_user, on=FIRST + timedelta(days=2), incapacity=0)
    with at(FIRST + timedelta(days=20)):
        relapse = report_sick(
            employee=sick.employee, actor=hr_user, first_sick_day=FIRST + timedelta(days=12)
        )
    # 10 fit days moved week 1's deadline; it is still open and is reminded anew.
    task = CaseTask.objects.get(case=relapse.case, key="report_health_service")
    assert task.deadline == FIRST + timedelta(days=6 + 10)
    with at(FIRST + timedelta(days=21)):
        result = send_task_reminders()
    assert [(d.user_id, d.overdue) for d in result.digests] == [(hr_user.pk, 1)]
    assert "1 task is overdue" in mails()[0].body


def test_physician_and_case_manager_get_their_own_tasks(sick, case_manager_user, physician_user):
    # Day 37: probleemanalyse (company doctor, day 42) is due within a week.
    with at(FIRST + timedelta(days=36)):
        result = send_task_reminders()
    by_user = {d.user_id: d for d in result.digests}
    assert physician_user.pk in by_user and case_manager_user.pk not in by_user
    # Day 51: plan van aanpak (case manager, day 56).
    with at(FIRST + timedelta(days=50)):
        result = send_task_reminders()
    assert case_manager_user.pk in {d.user_id for d in result.digests}


def test_out_of_scope_and_other_roles_get_nothing(
    sick, tenant, other_employer, manager_user, foreign_user, hr_user
):
    outsider = UserFactory(tenant=tenant, username="hr.elsewhere")
    grant_scope(outsider, other_employer)
    blocked = UserFactory(tenant=tenant, username="hr.blocked", blocked=True)
    grant_scope(blocked, sick.employee.employer)
    with at(FIRST + timedelta(days=1)):
        send_task_reminders()
    assert {(m.tenant_id, m.to) for m in mails()} == {(tenant.pk, hr_user.email)}
    assert not OutgoingMessage.objects.filter(tenant=foreign_user.tenant).exists()
    assert {outsider.email, manager_user.email, blocked.email}.isdisjoint(m.to for m in mails())


def test_dry_run_sends_and_marks_nothing(sick, hr_user):
    with at(FIRST + timedelta(days=1)):
        result = send_task_reminders(dry_run=True)
    assert len(result.digests) == 1 and mails() == []
    assert not CaseTask.objects.filter(reminded_for__isnull=False).exists()
    assert not AuditEvent.objects.filter(event=Event.TASK_REMINDERS_SENT).exists()


def test_claim_day_has_one_winner_per_day(db):
    day = date(2026, 3, 3)
    assert claim_day("job", day) is True
    assert claim_day("job", day) is False
    assert claim_day("job", day - timedelta(days=1)) is False
    assert claim_day("job", day + timedelta(days=1)) is True
    assert ScheduledRun.objects.get(name="job").last_day == day + timedelta(days=1)


def test_two_workers_queue_the_daily_jobs_once(sick, hr_user, monkeypatch):
    # Each round closes stale connections; inside the test's transaction (PostgreSQL) that
    # would close the test's own connection.
    monkeypatch.setattr("verzuim.messaging.worker.close_old_connections", lambda: None)
    with at(FIRST + timedelta(days=1), hour=5):
        MessageWorker().run_once()  # before 06:00: not yet
    assert mails() == []
    with at(FIRST + timedelta(days=1), hour=7):
        MessageWorker().run_once()
        MessageWorker().run_once()
    assert len(mails(hr_user.email)) == 1
    assert AuditEvent.objects.filter(event=Event.TASK_REMINDERS_SENT).count() == 1
    # A new task that comes due the same day does not bring a second e-mail that day.
    person = EmployeeFactory(employer=sick.employee.employer, personnel_number="1002")
    with at(FIRST + timedelta(days=1), hour=8):
        report_sick(employee=person, actor=hr_user, first_sick_day=FIRST + timedelta(days=1))
        MessageWorker().run_once()
        out = io.StringIO()
        call_command("send_task_reminders", stdout=out)
    assert "already sent today" in out.getvalue()
    assert len(mails(hr_user.email)) == 1
    with at(FIRST + timedelta(days=2), hour=7):
        MessageWorker().run_once()
    assert len(mails(hr_user.email)) == 2


def test_command_dry_run_lists_counts(sick, hr_user):
    out = io.StringIO()
    with at(FIRST + timedelta(days=1)):
        call_command("send_task_reminders", "--dry-run", stdout=out)
    assert "Would send 1 reminder e-mail(s) covering 1 task(s)" in out.getvalue()
    assert f"user {hr_user.pk}: 0 overdue, 1 due soon" in out.getvalue()
    assert mails() == []
    with at(FIRST + timedelta(days=1)):
        call_command("send_task_reminders", stdout=io.StringIO())
    assert len(mails()) == 1
