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
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = (date(2025, 1, 1), date(2025, 12, 31))  # as in bench/data.py


def setup_django(database_url: str | None, var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["VERZUIM_ENVIRONMENT"] = "test"
    os.environ["VERZUIM_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verzuim.settings")
    import django

    django.setup()


def build(n_employees: int, seed: int) -> object:
    """The data of ``make bench``'s figures benchmark (``bench.data.figures_tenant``)."""
    from bench.data import figures_tenant

    user, counts = figures_tenant("bench", n_employees, seed)
    print("built: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
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
