#!/usr/bin/env python
"""Time the payroll CSV import: 10,000 rows (5,000 employees × 2 employment records).

Builds a throwaway database (SQLite in a temporary directory unless ``--database-url``
names an EMPTY database to use instead), writes a payroll-shaped CSV (docs/csv-import.md)
with departments in a two-level tree, then times through ``import_employees``, the same
function the web page and the management command call:

1. a dry run (parse, validate, plan; nothing written),
2. the real import (everything created in one transaction),
3. the same file again (idempotent: everything unchanged).

    .venv/bin/python scripts/bench_import.py [--employees 5000] [--records 2]
    .venv/bin/python scripts/bench_import.py --database-url postgres://…/empty_db
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "personeelsnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;e-mail;afdeling;"
    "startdatum;einddatum;contracturen;fulltime-uren"
)
FIRST = ["Sara", "Tom", "Fatima", "Daan", "Eva", "Mohamed", "Lotte", "Bram", "Noor", "Jesse"]
LAST = ["Vries", "Bakker", "Jansen", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Dekker"]
PREFIX = ["", "", "", "de", "van", "van der"]
DEPARTMENTS = [
    f"{top}/{top} {sub}"
    for top in ("Productie", "Logistiek", "Verkoop", "Staf")
    for sub in ("Team A", "Team B", "Team C", "Team D", "Team E")
]


def setup_django(database_url: str | None, var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["VERZUIM_ENVIRONMENT"] = "test"
    os.environ["VERZUIM_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verzuim.settings")
    import django

    django.setup()


def payroll_csv(employees: int, records: int, seed: int) -> bytes:
    """``employees`` people with ``records`` consecutive employment records each."""
    rng = random.Random(seed)
    lines = [HEADER]
    for number in range(1, employees + 1):
        first, last, prefix = rng.choice(FIRST), rng.choice(LAST), rng.choice(PREFIX)
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
        department = rng.choice(DEPARTMENTS)
        start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 6 * 365))
        for record in range(records):
            last_record = record == records - 1
            end = None if last_record else start + timedelta(days=rng.randint(180, 700))
            hours = rng.choice(["16", "24", "32", "36", "38", "40"])
            lines.append(
                ";".join(
                    [
                        f"P{number:06d}",
                        first,
                        prefix,
                        last,
                        born.strftime("%d-%m-%Y"),
                        f"p{number}@example.nl",
                        department,
                        start.strftime("%d-%m-%Y"),
                        end.strftime("%d-%m-%Y") if end else "",
                        hours,
                        "40",
                    ]
                )
            )
            if end:
                start = end + timedelta(days=1)
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5_000)
    parser.add_argument("--records", type=int, default=2, help="employment records per person")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="verzuim-bench-") as var_dir:
        setup_django(args.database_url, var_dir)
        from django.core.management import call_command
        from django.db import connection

        from verzuim.absence.importer.run import import_employees
        from verzuim.absence.models import Employee, Employer, Employment
        from verzuim.tenants.models import Tenant

        call_command("migrate", verbosity=0, interactive=False)
        tenant = Tenant.objects.create(
            slug="bench", name="Bench", host="bench.test", support_email="s@bench.test"
        )
        employer = Employer.objects.create(tenant=tenant, name="Werkgever", kvk_number="12345678")
        data = payroll_csv(args.employees, args.records, args.seed)
        rows = data.count(b"\n") - 1
        print(f"database: {connection.vendor}; file: {rows} rows, {len(data) / 1e6:.1f} MB")

        for label, dry_run in (("dry run", True), ("import", False), ("re-import", False)):
            started = time.perf_counter()
            report = import_employees(employer, data, dry_run=dry_run)
            elapsed = time.perf_counter() - started
            if not report.ok:
                raise SystemExit(f"{label}: {len(report.rejected)} rows rejected: "
                                 f"{report.rejected[:3]}")
            counts = report.counts()
            print(f"{label:>10}: {elapsed:6.2f} s  ({rows / elapsed:,.0f} rows/s)  {counts}")
        employees = Employee.objects.filter(employer=employer).count()
        employments = Employment.objects.filter(employee__employer=employer).count()
        print(f"stored: {employees} employees, {employments} employment records")
        if employees != args.employees or employments != args.employees * args.records:
            raise SystemExit("the stored counts do not match the file")


if __name__ == "__main__":
    main()
