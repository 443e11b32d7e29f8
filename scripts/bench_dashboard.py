#!/usr/bin/env python
"""Time the dashboard figures for 10,000 employees over a year.

Builds a throwaway database (SQLite in a temporary directory unless ``--database-url``
names an EMPTY database to use instead), bulk-inserts employers, departments, employees,
employment records and a year and a half of sick reports with their absence segments
(about 5 % absence), then times one full dashboard computation for the year: every figure,
the per-department table and the 12-month trend, as ``kpis.dashboard`` does for the page.
Prints the median of the runs.

    .venv/bin/python scripts/bench_dashboard.py [--employees 10000] [--runs 3]
    .venv/bin/python scripts/bench_dashboard.py --database-url postgres://…/empty_db
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
HISTORY_START = date(2024, 7, 1)


def setup_django(database_url: str | None, var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["VERZUIM_ENVIRONMENT"] = "test"
    os.environ["VERZUIM_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verzuim.settings")
    import django

    django.setup()


def duration(rng: random.Random) -> int:
    """Calendar days of one sick report: mostly short, some medium, a few long."""
    roll = rng.random()
    if roll < 0.70:
        return rng.randint(1, 7)
    if roll < 0.92:
        return rng.randint(8, 42)
    return rng.randint(43, 300)


def build(n_employees: int, seed: int) -> object:
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
    from verzuim.accounts.models import User
    from verzuim.tenants.models import Tenant

    rng = random.Random(seed)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            slug="bench", name="Bench", host="bench.test", support_email="s@bench.test"
        )
        user = User.objects.create(
            tenant=tenant, username="bench.hr", roles=["employer_hr"], first_name="B"
        )
        employers = [
            Employer.objects.create(tenant=tenant, name=f"Werkgever {i}", kvk_number=f"{i:08d}")
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
                    personnel_number=f"B{i:06d}",
                    first_name="Werk",
                    last_name=f"Nemer {i}",
                )
                for i in range(n_employees)
            ],
            batch_size=2000,
        )
        employments = []
        for person in employees:
            depts = departments[person.employer_id]
            hours = Decimal(rng.choice(["40", "40", "40", "36", "32", "24", "20", "16"]))
            start = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2900))
            end = None
            if rng.random() < 0.08:  # leavers during the year
                end = date(2025, 1, 1) + timedelta(days=rng.randint(0, 360))
                start = min(start, end - timedelta(days=30))
            records = [(start, end, hours, rng.choice(depts))]
            if rng.random() < 0.05 and (end is None) and start < date(2025, 3, 1):
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
        spans = {}
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
                length = duration(rng)
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
        from verzuim.absence.models.organisation import OPEN_END

        segments = []
        for report, (first, fit, partial) in zip(reports, shapes, strict=True):
            end = fit if fit is not None else OPEN_END
            if partial:
                middle = first + 28
                segments.append(
                    AbsenceSegment(
                        report=report,
                        employee_id=report.employee_id,
                        start_ord=first,
                        end_ord=middle,
                        fraction=1.0,
                    )
                )
                segments.append(
                    AbsenceSegment(
                        report=report,
                        employee_id=report.employee_id,
                        start_ord=middle,
                        end_ord=end,
                        fraction=0.5,
                    )
                )
            else:
                segments.append(
                    AbsenceSegment(
                        report=report,
                        employee_id=report.employee_id,
                        start_ord=first,
                        end_ord=end,
                        fraction=1.0,
                    )
                )
        AbsenceSegment.objects.bulk_create(segments, batch_size=5000)
    print(
        f"built: {len(employees)} employees, {len(employments)} employment records, "
        f"{len(reports)} sick reports, {len(segments)} absence segments"
    )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="verzuim-bench-") as var_dir:
        setup_django(args.database_url, var_dir)
        from django.core.management import call_command
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from verzuim.absence import kpis
        from verzuim.absence.kpis import Period, Selection

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"database: {connection.vendor}; migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        user = build(args.employees, args.seed)
        print(f"generated in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        period = Period(*YEAR)
        selection = Selection(user)
        timings = []
        result = None
        for _ in range(args.runs):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = kpis.dashboard(selection, period)
                timings.append(time.perf_counter() - started)
        assert result is not None
        started = time.perf_counter()
        months = kpis.monthly(selection, period)
        monthly_time = time.perf_counter() - started
        total = result.total
        print(
            f"year {period.start}..{period.end}: verzuimpercentage {total.percentage:.2f} %, "
            f"meldingsfrequentie {total.frequency:.2f}, gemiddelde verzuimduur "
            f"{total.average_duration:.1f} days, nulverzuim {total.zero_share:.1f} %, "
            f"{len(result.rows)} department rows, {len(result.trend)} trend months"
        )
        print(
            "dashboard (all figures + per-department table + 12-month trend): "
            f"median {statistics.median(timings) * 1000:.0f} ms of {args.runs} runs "
            f"({', '.join(f'{t * 1000:.0f}' for t in timings)} ms; "
            f"{len(queries.captured_queries)} queries)"
        )
        from verzuim.absence.kpis import queries as q
        from verzuim.absence.kpis.periods import trend_months

        parts = {
            "available days (13 periods)": lambda: q.available_days(
                selection, [period, *trend_months(period.end)]
            ),
            "sick days (13 periods)": lambda: q.sick_days(
                selection, [period, *trend_months(period.end)]
            ),
            "report counts and durations": lambda: q.report_counts(selection, period),
            "zero absence": lambda: q.zero_absence(selection, period),
        }
        for name, run in parts.items():
            started = time.perf_counter()
            run()
            print(f"  {name}: {(time.perf_counter() - started) * 1000:.0f} ms")
        print(
            f"export's per-month figures for the year (12 × figures): {monthly_time * 1000:.0f} ms"
            f" ({len(months)} months)"
        )
        connection.close()


if __name__ == "__main__":
    main()
