"""The generated demo data behind `make run`: realistic, consistent with what the actions
produce, scoped for each demo login, fast, and safe to load again."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from verzuim.absence.actions import rebuild_cases
from verzuim.absence.models import (
    Case,
    CaseTask,
    Employee,
    Employer,
    Employment,
    MutationKind,
    SickReport,
    SickReportMutation,
    TaskState,
)
from verzuim.accounts.models import User

pytestmark = pytest.mark.django_db


def snapshot(employee):
    return sorted(
        (
            c.first_sick_day,
            c.recovery_date,
            c.fit_days_between,
            tuple(sorted((t.key, t.deadline, t.state) for t in c.tasks.all())),
        )
        for c in employee.cases.all()
    )


def test_demo_data_is_realistic_scoped_and_reloadable(settings):
    out = io.StringIO()
    started = time.monotonic()
    call_command("load_demo", stdout=out)
    first_run = time.monotonic() - started
    assert first_run < 60  # about 10 s on a laptop; generous for slow CI machines
    text = out.getvalue()
    for login in ("demo.hr", "demo.casemanager", "demo.manager", "demo.arts"):
        assert login in text
    today = timezone.localdate()

    employers = list(Employer.objects.filter(tenant__slug="demo"))
    assert len(employers) == 3
    assert sum(e.own_risk_zw for e in employers) == 1
    assert Employee.objects.filter(employer__in=employers).count() == 500
    employments = Employment.objects.filter(employee__employer__in=employers)
    assert employments.filter(parttime_factor__lt=1).count() > 100
    assert employments.filter(end_date__lt=today).exists()  # leavers
    assert employments.filter(start_date__gt=today - timedelta(days=730)).exists()  # joiners
    reports = SickReport.objects.filter(employee__employer__in=employers)
    report_count = reports.count()
    assert 700 < report_count < 1500
    assert reports.filter(first_sick_day__lt=today - timedelta(days=600)).exists()
    assert SickReportMutation.objects.filter(kind=MutationKind.PARTIAL_RECOVERY).count() > 20
    # A relapse within 28 days: one case with several reports.
    assert any(c.reports.count() > 1 for c in Case.objects.all())
    open_cases = Case.objects.filter(recovery_date__isnull=True)
    assert open_cases.filter(first_sick_day__lt=today - timedelta(days=180)).exists()
    open_tasks = CaseTask.objects.filter(state=TaskState.OPEN)
    assert open_tasks.filter(deadline__lt=today).exists()
    assert open_tasks.filter(deadline__gte=today, deadline__lte=today + timedelta(days=14)).exists()
    # No closed case leaves old work in the action list.
    assert not open_tasks.filter(case__recovery_date__isnull=False).exists()

    # The generated cases and tasks are exactly what the actions' rebuild makes.
    for employee in Employee.objects.filter(cases__isnull=False).distinct()[:60]:
        before = snapshot(employee)
        with transaction.atomic():
            rebuild_cases(employee)
            assert snapshot(employee) == before
            transaction.set_rollback(True)

    users = {u.username: u for u in User.objects.filter(tenant__slug="demo")}
    first = Employer.objects.get(name="Bakkerij Van der Meulen B.V.")
    assert set(Employer.objects.visible_to(users["demo.hr"])) == {first}
    assert set(Employer.objects.visible_to(users["demo.casemanager"])) == set(employers)
    assert set(Employer.objects.visible_to(users["demo.arts"])) == set(employers)
    team = Employee.objects.visible_to(users["demo.manager"])
    assert team.exists() and {e.department.name for e in team} == {"Winkels"}
    assert users["demo.arts"].has_role("physician") and users["demo.manager"].has_role("manager")

    call_command("load_demo", stdout=io.StringIO())
    assert Employer.objects.filter(tenant__slug="demo").count() == 3
    assert Employee.objects.count() == 500
    assert SickReport.objects.count() == report_count  # the same seeded data again


def test_a_long_sickness_never_starts_before_the_first_day_of_employment():
    """A recent hire drawn for a long sickness: the report starts on or after the hire date
    (else ``report_sick`` refuses it and the demo load fails for other seeds)."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from verzuim.absence.demo import _spells

    today = timezone.localdate()
    for seed in range(300):
        rng = random.Random(seed)
        hired = today - timedelta(days=rng.randint(1, 120))
        for first, _length, _changes in _spells(rng, hired, today, long_term=True):
            assert first >= hired, (seed, first, hired)
