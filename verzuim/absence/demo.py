"""Generated demo data for `make run`: three employers of the demo tenant, 500 employees
and two years of sick reports, so the dashboards and the action list show something real.

Deterministic (a seeded RNG) and relative to today. Running it again resets the demo
employers. Current sick reports go through the real actions (``report_sick``,
``report_change``); past, recovered reports are written as the same rows and derived by
the same ``apply_history`` and ``rebuild_cases`` (see ``_closed_report``: calling the
actions for each would take a minute). Old tasks are ticked off in bulk (``_tick_off``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from verzuim.absence import figure_cache, poortwachter
from verzuim.absence.actions import report_change, report_sick, sync_tasks
from verzuim.absence.actions.cases import active_protocol
from verzuim.absence.history import segment_rows, state_of
from verzuim.absence.models import (
    AbsenceSegment,
    Case,
    CaseTask,
    Department,
    Employee,
    Employer,
    Employment,
    ExpectedDuration,
    MutationKind,
    SickReport,
    SickReportMutation,
    TaskState,
    UserScope,
)
from verzuim.accounts.models import User

SEED = 20260401
HISTORY_DAYS = 730


@dataclass(frozen=True)
class DemoEmployer:
    name: str
    kvk: str
    payroll_tax: str
    own_risk_zw: bool
    own_risk_wga: bool
    employees: int
    prefix: str
    fulltime: str
    #: (department, parent or None)
    departments: tuple[tuple[str, str | None], ...]


EMPLOYERS = (
    DemoEmployer(
        "Bakkerij Van der Meulen B.V.",
        "34218765",
        "814532907L01",
        False,
        False,
        180,
        "BM",
        "38",
        (
            ("Directie", None),
            ("Productie", "Directie"),
            ("Broodbakkerij", "Productie"),
            ("Banketbakkerij", "Productie"),
            ("Logistiek", "Directie"),
            ("Verkoop", "Directie"),
            ("Winkels", "Verkoop"),
            ("Staf", "Directie"),
        ),
    ),
    DemoEmployer(
        "Zorggroep De Linde",
        "41187263",
        "807126354L02",
        True,
        True,
        200,
        "ZL",
        "36",
        (
            ("Raad van Bestuur", None),
            ("Wonen en Zorg", "Raad van Bestuur"),
            ("Locatie De Beuk", "Wonen en Zorg"),
            ("Locatie Het Anker", "Wonen en Zorg"),
            ("Thuiszorg", "Raad van Bestuur"),
            ("Wijkteam Noord", "Thuiszorg"),
            ("Wijkteam Zuid", "Thuiszorg"),
            ("Facilitair", "Raad van Bestuur"),
        ),
    ),
    DemoEmployer(
        "Transportbedrijf Hendriks & Zn. B.V.",
        "17093548",
        "852047613L01",
        False,
        False,
        120,
        "TH",
        "40",
        (
            ("Directie", None),
            ("Planning", "Directie"),
            ("Chauffeurs", "Directie"),
            ("Werkplaats", "Directie"),
            ("Administratie", "Directie"),
        ),
    ),
)
#: The department whose employees demo.manager manages (employer 1).
MANAGED_DEPARTMENT = "Winkels"

FIRST_NAMES = (
    "Daan",
    "Sem",
    "Lucas",
    "Milan",
    "Levi",
    "Luuk",
    "Thijs",
    "Jesse",
    "Bram",
    "Ruben",
    "Tim",
    "Lars",
    "Stijn",
    "Thomas",
    "Niels",
    "Mohamed",
    "Youssef",
    "Kevin",
    "Dennis",
    "Mark",
    "Peter",
    "Jan",
    "Kees",
    "Henk",
    "Willem",
    "Emma",
    "Julia",
    "Sophie",
    "Anna",
    "Lisa",
    "Sanne",
    "Eva",
    "Fleur",
    "Lotte",
    "Iris",
    "Femke",
    "Anouk",
    "Marieke",
    "Inge",
    "Linda",
    "Fatima",
    "Yasmina",
    "Priya",
    "Chantal",
    "Ingrid",
    "Monique",
    "Esther",
    "Ilse",
    "Noor",
    "Saskia",
)
LAST_NAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Bouzid",
    "Nguyen",
    "Ramdin",
    "Sahin",
)
PARTTIME_HOURS = (16, 20, 24, 24, 28, 32, 32)


@dataclass
class DemoResult:
    employers: int = 0
    employees: int = 0
    reports: int = 0
    open_cases: int = 0


def _reset(tenant: Any) -> None:
    """Remove the demo employers (by KvK number) with everything under them."""
    employers = Employer.objects.filter(tenant=tenant, kvk_number__in=[e.kvk for e in EMPLOYERS])
    for employer in employers:
        mutations = SickReportMutation.objects.filter(report__employee__employer=employer)
        # Mutations are append-only: a correction goes before the entry it supersedes.
        for mutation in mutations.filter(supersedes__isnull=False).order_by("-pk"):
            mutation.delete()
        mutations.delete()
        Case.objects.filter(employee__employer=employer).delete()
        Employee.objects.filter(employer=employer).delete()
        departments = list(Department.objects.filter(employer=employer))
        while departments:
            parents = {d.parent_id for d in departments}
            leaves = [d for d in departments if d.pk not in parents]
            Department.objects.filter(pk__in=[d.pk for d in leaves]).delete()
            departments = [d for d in departments if d not in leaves]
        employer.delete()


def _departments(employer: Employer, spec: DemoEmployer) -> dict[str, Department]:
    made: dict[str, Department] = {}
    for name, parent in spec.departments:
        made[name] = Department.objects.create(
            employer=employer,
            name=name,
            parent=made.get(parent) if parent else None,
            code=name[:3].upper(),
        )
    return made


def _employees(
    rng: random.Random,
    employer: Employer,
    spec: DemoEmployer,
    departments: dict[str, Department],
    manager: User | None,
    today: date,
) -> list[Employee]:
    parents = {parent for _, parent in spec.departments if parent}
    leaves = [departments[name] for name, _ in spec.departments if name not in parents]
    people: list[Employee] = []
    records: list[Employment] = []
    for n in range(1, spec.employees + 1):
        department = rng.choice(leaves)
        managed = manager is not None and department.name == MANAGED_DEPARTMENT
        employee = Employee(
            employer=employer,
            personnel_number=f"{spec.prefix}{n:04d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            department=department,
            manager=manager if managed else None,
        )
        people.append(employee)
        roll = rng.random()
        if roll < 0.12:  # joined in the last two years
            start = today - timedelta(days=rng.randint(30, HISTORY_DAYS - 30))
        else:
            start = date(rng.randint(2005, 2023), rng.randint(1, 12), 1)
        end = None
        if rng.random() < 0.08:  # left in the last two years
            end = today - timedelta(days=rng.randint(10, HISTORY_DAYS - 60))
            if end <= start + timedelta(days=60):
                end = None
        hours = spec.fulltime if rng.random() < 0.6 else str(rng.choice(PARTTIME_HOURS))
        records.append(
            Employment(
                start_date=start,
                end_date=end,
                contract_hours=Decimal(hours),
                fulltime_hours=Decimal(spec.fulltime),
                department=department,
                manager=manager if managed else None,
            )
        )
    Employee.objects.bulk_create(people)
    for employee, record in zip(people, records, strict=True):
        record.employee = employee
        record.fill_derived()
    Employment.objects.bulk_create(records)
    for employee, record in zip(people, records, strict=True):
        employee.demo_employment = record  # type: ignore[attr-defined]
    return people


def _spell_length(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.58:
        return rng.randint(1, 7)
    if roll < 0.85:
        return rng.randint(8, 28)
    if roll < 0.97:
        return rng.randint(29, 91)
    return rng.randint(92, 300)


def _spells(
    rng: random.Random, start: date, end: date, long_term: bool
) -> list[tuple[date, int | None, list[tuple[int, int]]]]:
    """(first sick day, length or None while open, [(day offset, incapacity %)]) per spell."""
    spells: list[tuple[date, int | None, list[tuple[int, int]]]] = []
    day = start + timedelta(days=int(rng.expovariate(1 / 300)))
    while day < end:
        length = _spell_length(rng)
        changes: list[tuple[int, int]] = []
        if length > 28 and rng.random() < 0.6:  # partial recovery along the way
            changes.append((length // 2, rng.choice((50, 50, 60, 40))))
        if day + timedelta(days=length) > end:
            if end < timezone.localdate():
                break  # would run past the end of the employment
            # Still sick today: an open report, with the changes that already happened.
            spells.append((day, None, [c for c in changes if day + timedelta(days=c[0]) <= end]))
            return spells
        spells.append((day, length, changes))
        recovered = day + timedelta(days=length)
        if length > 14 and rng.random() < 0.15:
            gap = rng.randint(5, 25)  # a relapse within 28 days: the same case
        else:
            gap = int(rng.expovariate(1 / 280)) + 14
        day = recovered + timedelta(days=gap)
    if long_term:
        # Never before the first day of employment (a recent hire is sick for a shorter time).
        first = max(end - timedelta(days=rng.randint(60, 420)), start)
        spells = [
            s
            for s in spells
            if s[1] is not None and s[0] + timedelta(days=s[1]) < first - timedelta(days=40)
        ]
        partial = [(rng.randint(40, 50), 50)] if rng.random() < 0.5 else []
        spells.append((first, None, partial))
    return spells


@dataclass
class _PastReports:
    """Past, recovered reports of one employer, written in bulk (see ``_write_past``)."""

    reports: list[SickReport] = field(default_factory=list)
    entries: list[list[tuple[str, date, int]]] = field(default_factory=list)
    #: Employees whose reports are all past: their cases are made here, not by an action.
    closed_only: set[int] = field(default_factory=set)


def _past_report(
    past: _PastReports,
    employee: Employee,
    actor: User | None,
    first: date,
    length: int,
    changes: list[tuple[int, int]],
) -> None:
    entries: list[tuple[str, date, int]] = [(MutationKind.REPORTED, first, 100)]
    current = 100
    for offset, incapacity in changes:
        if offset < length:
            kind = MutationKind.PARTIAL_RECOVERY if incapacity < current else MutationKind.INCREASE
            entries.append((kind, first + timedelta(days=offset), incapacity))
            current = incapacity
    entries.append((MutationKind.FULL_RECOVERY, first + timedelta(days=length), 0))
    past.reports.append(
        SickReport(
            employee=employee,
            report_date=first,
            first_sick_day=first,
            created_by=actor,
            expected_duration=ExpectedDuration.UP_TO_WEEK
            if length <= 7
            else ExpectedDuration.UNKNOWN,
        )
    )
    past.entries.append(entries)


def _write_past(past: _PastReports, actor: User | None, tenant: Any, today: date) -> None:
    """Store past reports as ``report_sick``/``report_change`` would (the same mutation
    rows; cache and figure segments from the same pure ``history`` functions as
    ``apply_history``), then group the reports of employees without a current report into
    cases (``poortwachter.group_into_cases``, as ``rebuild_cases`` does) and let the real
    ``sync_tasks`` make their tasks. Calling the actions for each of ~1,000 past reports
    rebuilds every case after every change and takes about a minute; this takes seconds."""
    states = [state_of(entries) for entries in past.entries]
    for report, state in zip(past.reports, states, strict=True):
        report.first_sick_day = state.first_sick_day
        report.recovery_date = state.recovery_date
        report.incapacity = state.incapacity
    SickReport.objects.bulk_create(past.reports)
    SickReportMutation.objects.bulk_create(
        SickReportMutation(
            report=report, kind=kind, effective_date=on, incapacity=pct, author=actor
        )
        for report, entries in zip(past.reports, past.entries, strict=True)
        for kind, on, pct in entries
    )
    AbsenceSegment.objects.bulk_create(
        AbsenceSegment(
            report=report, employee_id=report.employee_id, start_ord=s, end_ord=e, fraction=f
        )
        for report, state in zip(past.reports, states, strict=True)
        for s, e, f in segment_rows(state)
    )
    protocol = active_protocol(tenant)
    by_employee: dict[int, list[SickReport]] = {}
    for report in past.reports:
        if report.employee_id in past.closed_only:
            by_employee.setdefault(report.employee_id, []).append(report)
    cases: list[tuple[Case, list[SickReport]]] = []
    for employee_id, reports in by_employee.items():
        by_start = {r.first_sick_day: r for r in reports}
        for group in poortwachter.group_into_cases(
            poortwachter.SickPeriod(r.first_sick_day, r.recovery_date) for r in reports
        ):
            case = Case(
                employee_id=employee_id,
                protocol=protocol,
                first_sick_day=group.first_sick_day,
                recovery_date=group.recovery_date,
                fit_days_between=group.fit_days_between,
            )
            cases.append((case, [by_start[p.first_sick_day] for p in group.periods]))
    Case.objects.bulk_create(case for case, _ in cases)
    for case, members in cases:
        for report in members:
            report.case = case
    SickReport.objects.bulk_update([r for _, members in cases for r in members], ["case"])
    for case, _ in cases:
        sync_tasks(case, today=today)


def _tick_off(today: date, actor: User | None) -> None:
    """Mark old tasks done as a case team would have; leave recent ones open so the action
    list shows overdue and due work. (A bulk update: ``mark_task_done`` per task would add
    thousands of audit rows to every demo reset.)"""
    now = timezone.now()
    closed_cutoff = today
    CaseTask.objects.filter(
        state=TaskState.OPEN, case__recovery_date__isnull=False, deadline__lt=closed_cutoff
    ).update(state=TaskState.DONE, done_at=now, done_by=actor)
    CaseTask.objects.filter(
        state=TaskState.OPEN,
        case__recovery_date__isnull=True,
        deadline__lt=today - timedelta(days=21),
    ).exclude(code__in=("evaluation", "evaluation_year_two")).update(
        state=TaskState.DONE, done_at=now, done_by=actor
    )
    CaseTask.objects.filter(
        state=TaskState.OPEN,
        case__recovery_date__isnull=True,
        deadline__lt=today - timedelta(days=50),
    ).update(state=TaskState.DONE, done_at=now, done_by=actor)


def load(tenant: Any, *, seed: int = SEED) -> DemoResult:
    """Reset and generate the demo employers of ``tenant``."""
    rng = random.Random(seed)
    today = timezone.localdate()
    history_start = today - timedelta(days=HISTORY_DAYS)
    users = {u.username: u for u in User.objects.filter(tenant=tenant)}
    hr, case_manager = users.get("demo.hr"), users.get("demo.casemanager")
    manager, physician = users.get("demo.manager"), users.get("demo.arts")
    result = DemoResult()
    with transaction.atomic():
        _reset(tenant)
        employers: list[Employer] = []
        for index, spec in enumerate(EMPLOYERS):
            employer = Employer.objects.create(
                tenant=tenant,
                name=spec.name,
                kvk_number=spec.kvk,
                payroll_tax_number=spec.payroll_tax,
                own_risk_zw=spec.own_risk_zw,
                own_risk_wga=spec.own_risk_wga,
            )
            employers.append(employer)
            departments = _departments(employer, spec)
            people = _employees(
                rng, employer, spec, departments, manager if index == 0 else None, today
            )
            actor = hr if index == 0 else case_manager
            long_term = set(rng.sample(range(len(people)), k=max(3, len(people) // 40)))
            past = _PastReports()
            current: list[tuple[Employee, date, list[tuple[int, int]]]] = []
            for number, employee in enumerate(people):
                employment = employee.demo_employment  # type: ignore[attr-defined]
                start = max(employment.start_date, history_start)
                end = min(employment.end_date or today, today)
                if end <= start:
                    continue
                ongoing = employment.end_date is None
                spells = _spells(rng, start, end, long_term=ongoing and number in long_term)
                for first, length, changes in spells:
                    if length is None:
                        current.append((employee, first, changes))
                    else:
                        _past_report(past, employee, actor, first, length, changes)
                if spells and spells[-1][1] is not None:
                    past.closed_only.add(employee.pk)
            _write_past(past, actor, tenant, today)
            # Currently sick: through the real actions, exactly as a user would.
            for employee, first, changes in current:
                report = report_sick(
                    employee=employee,
                    actor=actor,
                    first_sick_day=first,
                    report_date=first + timedelta(days=rng.randint(0, 1)),
                    expected_duration=rng.choice(list(ExpectedDuration.values)),
                )
                for offset, incapacity in changes:
                    report_change(
                        report=report,
                        actor=actor,
                        on=first + timedelta(days=offset),
                        incapacity=incapacity,
                    )
            result.reports += len(past.reports) + len(current)
            result.employees += len(people)
        result.employers = len(employers)
        _tick_off(today, case_manager)
        UserScope.objects.filter(
            user__tenant=tenant, user__username__in=["demo.hr", "demo.casemanager", "demo.arts"]
        ).delete()
        if hr:
            UserScope.objects.create(user=hr, employer=employers[0])
        for user in (case_manager, physician):
            if user:
                for employer in employers:
                    UserScope.objects.create(user=user, employer=employer)
        result.open_cases = Case.objects.filter(
            employee__employer__in=employers, recovery_date__isnull=True
        ).count()
    figure_cache.changed(tenant.pk)
    return result
