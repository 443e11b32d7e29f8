"""Test data written as the application stores it.

* ``login_users``: portal users with a confirmed authenticator app (TOTP) or only a phone
  (SMS), bulk-inserted. They share one argon2id hash of the same password, made with the
  project's hasher, so checking it costs exactly what a real login costs.
* ``absence_tenant``: employers with employees, two years of sick reports, cases and tasks,
  through the writers of ``verzuim.absence.demo`` (past reports in bulk via the same pure
  history functions and ``sync_tasks``; current reports through ``report_sick`` /
  ``report_change``), scaled to the wanted number of employees.
* ``figures_tenant``: a fast bulk build for the figures benchmark (employees, employment,
  reports and their absence segments), as scripts/bench_dashboard.py does.
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.common import PASSWORD, TENANT_HOST


def tenant(slug: str, host: str = TENANT_HOST) -> Any:
    from verzuim.tenants.models import Tenant

    return Tenant.objects.create(
        slug=slug,
        name=f"Bench {slug}",
        host=host,
        support_email=f"support@{slug}.example",
        sms_sender="Bench",
        allowed_methods=["sms", "totp", "webauthn"],
    )


def login_users(
    tenant: Any,
    prefix: str,
    count: int,
    *,
    totp: bool,
    roles: list[str] | None = None,
    employers: list[Any] | None = None,
) -> list[dict[str, str]]:
    """``count`` activated users; with ``totp`` a confirmed app each (the default method)."""
    import pyotp
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from verzuim.absence.models import UserScope
    from verzuim.accounts.models import User
    from verzuim.mfa.totp.models import TotpDevice

    now = timezone.now()
    encoded = make_password(PASSWORD)  # the project's argon2id hasher
    users = User.objects.bulk_create(
        [
            User(
                tenant=tenant,
                username=f"{prefix}{i:05d}",
                first_name="Bench",
                last_name=f"User {i}",
                email=f"{prefix}{i}@bench.example",
                phone=f"+3162{i:07d}",
                phone_verified_at=now,
                activated_at=now,
                roles=roles or ["employer_hr"],
                preferred_method="totp" if totp else "sms",
                password=encoded,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    secrets = [pyotp.random_base32(32) for _ in users]
    if totp:
        TotpDevice.objects.bulk_create(
            [
                TotpDevice(user=u, name="App", secret=s, confirmed_at=now)
                for u, s in zip(users, secrets, strict=True)
            ],
            batch_size=1000,
        )
    if employers:
        UserScope.objects.bulk_create(
            [UserScope(user=u, employer=e) for u in users for e in employers], batch_size=1000
        )
    return [
        {"username": u.username, "secret": s if totp else ""}
        for u, s in zip(users, secrets, strict=True)
    ]


def absence_tenant(tenant: Any, employees: int, actor: Any, seed: int = 2026) -> dict[str, int]:
    """``employees`` employees over three employers with two years of sick-leave history,
    written by the demo loader's functions (see verzuim/absence/demo.py ``load``)."""
    from django.db import transaction
    from django.utils import timezone

    from verzuim.absence import demo
    from verzuim.absence.actions import report_change, report_sick
    from verzuim.absence.models import Case, CaseTask, Employer, ExpectedDuration, SickReport

    rng = random.Random(seed)
    today = timezone.localdate()
    history_start = today - timedelta(days=demo.HISTORY_DAYS)
    per_employer = [employees // 3 + (1 if i < employees % 3 else 0) for i in range(3)]
    employers = []
    skipped = 0
    with transaction.atomic():
        for spec, count in zip(demo.EMPLOYERS, per_employer, strict=True):
            spec = dataclasses.replace(spec, employees=count)
            employer = Employer.objects.create(
                tenant=tenant,
                name=spec.name,
                kvk_number=spec.kvk,
                payroll_tax_number=spec.payroll_tax,
                own_risk_zw=spec.own_risk_zw,
                own_risk_wga=spec.own_risk_wga,
            )
            employers.append(employer)
            departments = demo._departments(employer, spec)
            people = demo._employees(rng, employer, spec, departments, None, today)
            long_term = set(rng.sample(range(len(people)), k=max(3, len(people) // 40)))
            past = demo._PastReports()
            current = []
            for number, employee in enumerate(people):
                employment = employee.demo_employment  # type: ignore[attr-defined]
                start = max(employment.start_date, history_start)
                end = min(employment.end_date or today, today)
                if end <= start:
                    continue
                ongoing = employment.end_date is None
                spells = demo._spells(rng, start, end, long_term=ongoing and number in long_term)
                for first, length, changes in spells:
                    if length is None:
                        current.append((employee, first, changes))
                    else:
                        demo._past_report(past, employee, actor, first, length, changes)
                if spells and spells[-1][1] is not None:
                    past.closed_only.add(employee.pk)
            demo._write_past(past, actor, tenant, today)
            for employee, first, changes in current:
                if first < employee.demo_employment.start_date:  # type: ignore[attr-defined]
                    # demo._spells can place a long-term spell before a recent hire's start
                    # (the demo's own seed never hits it); report_sick would refuse it.
                    skipped += 1
                    continue
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
        demo._tick_off(today, actor)
    return {
        "employers": len(employers),
        "employees": employees,
        "sick reports": SickReport.objects.filter(employee__employer__tenant=tenant).count(),
        "cases": Case.objects.filter(employee__employer__tenant=tenant).count(),
        "open cases": Case.objects.filter(
            employee__employer__tenant=tenant, recovery_date__isnull=True
        ).count(),
        "tasks": CaseTask.objects.filter(case__employee__employer__tenant=tenant).count(),
        "skipped long-term spells before hire": skipped,
    }


def open_case_ids(tenant: Any, limit: int = 500) -> list[int]:
    from verzuim.absence.models import Case

    return list(
        Case.objects.filter(employee__employer__tenant=tenant, recovery_date__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- figures: a fast bulk build (as scripts/bench_dashboard.py) -------------------------

YEAR = (date(2025, 1, 1), date(2025, 12, 31))
HISTORY_START = date(2024, 7, 1)


def _duration(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.70:
        return rng.randint(1, 7)
    if roll < 0.92:
        return rng.randint(8, 42)
    return rng.randint(43, 300)


def figures_tenant(slug: str, n_employees: int, seed: int = 2025) -> tuple[Any, dict[str, int]]:
    """A tenant with ``n_employees`` over three employers (8 departments each), employment
    records (8 % leavers, 5 % department moves) and 1.5 years of sick reports with their
    absence segments (about 5 % absence). Returns an HR user scoped to all of it."""
    from django.db import transaction

    from verzuim.absence.models import (
        AbsenceSegment,
        Department,
        Employee,
        Employer,
        Employment,
        SickReport,
        UserScope,
    )
    from verzuim.absence.models.organisation import OPEN_END
    from verzuim.accounts.models import User

    rng = random.Random(seed)
    with transaction.atomic():
        owner = tenant(slug, host=f"{slug}.bench.localhost")
        user = User.objects.create(
            tenant=owner, username=f"{slug}.hr", roles=["employer_hr"], first_name="B"
        )
        employers = [
            Employer.objects.create(
                tenant=owner,
                name=f"Werkgever {i}",
                kvk_number=f"{zlib.crc32(f'{slug}-{i}'.encode()) % 10**8:08d}",
            )
            for i in range(1, 4)
        ]
        for employer in employers:
            UserScope.objects.create(user=user, employer=employer)
        departments = {
            e.pk: [
                Department.objects.create(employer=e, name=f"Afdeling {e.pk}-{j}")
                for j in range(1, 9)
            ]
            for e in employers
        }
        employees = Employee.objects.bulk_create(
            [
                Employee(
                    employer=employers[i % 3],
                    personnel_number=f"B{i:07d}",
                    first_name="Werk",
                    last_name=f"Nemer {i}",
                )
                for i in range(n_employees)
            ],
            batch_size=5000,
        )
        employments = []
        for person in employees:
            depts = departments[person.employer_id]
            hours = Decimal(rng.choice(["40", "40", "40", "36", "32", "24", "20", "16"]))
            start = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2900))
            end = None
            if rng.random() < 0.08:
                end = date(2025, 1, 1) + timedelta(days=rng.randint(0, 360))
                start = min(start, end - timedelta(days=30))
            records = [(start, end, hours, rng.choice(depts))]
            if rng.random() < 0.05 and end is None and start < date(2025, 3, 1):
                move = date(2025, 3, 1) + timedelta(days=rng.randint(0, 250))
                records = [
                    (start, move - timedelta(days=1), hours, records[0][3]),
                    (move, None, Decimal("40"), rng.choice(depts)),
                ]
            for s, e, h, d in records:
                record = Employment(
                    employee=person,
                    start_date=s,
                    end_date=e,
                    contract_hours=h,
                    fulltime_hours=Decimal("40"),
                    department=d,
                )
                record.fill_derived()
                employments.append(record)
        Employment.objects.bulk_create(employments, batch_size=5000)
        spans: dict[int, tuple[int, int]] = {}
        for record in employments:
            lo, hi = spans.get(record.employee_id, (record.start_ord, record.end_ord))
            spans[record.employee_id] = (min(lo, record.start_ord), max(hi, record.end_ord))
        reports, shapes = [], []
        last_day = YEAR[1].toordinal()
        for person in employees:
            lo, hi = spans[person.pk]
            day = max(HISTORY_START.toordinal(), lo) + rng.randint(0, 200)
            while True:
                day += int(rng.expovariate(1.25 / 365)) + 1
                if day > last_day or day >= hi:
                    break
                length = _duration(rng)
                fit = day + length
                partial = length > 42 and rng.random() < 0.5
                recovered = fit <= last_day
                reports.append(
                    SickReport(
                        employee=person,
                        report_date=date.fromordinal(day),
                        first_sick_day=date.fromordinal(day),
                        recovery_date=date.fromordinal(fit) if recovered else None,
                        incapacity=50 if partial else 100,
                        created_by=user,
                    )
                )
                shapes.append((day, fit if recovered else None, partial))
                day = fit + 1
        SickReport.objects.bulk_create(reports, batch_size=5000)
        segments = []
        for report, (first, fit, partial) in zip(reports, shapes, strict=True):
            end = fit if fit is not None else OPEN_END
            parts = (
                [(first, first + 28, 1.0), (first + 28, end, 0.5)]
                if partial
                else [(first, end, 1.0)]
            )
            for s, e, f in parts:
                segments.append(
                    AbsenceSegment(
                        report=report,
                        employee_id=report.employee_id,
                        start_ord=s,
                        end_ord=e,
                        fraction=f,
                    )
                )
        AbsenceSegment.objects.bulk_create(segments, batch_size=5000)
    return user, {
        "employees": len(employees),
        "employment records": len(employments),
        "sick reports": len(reports),
        "absence segments": len(segments),
    }
