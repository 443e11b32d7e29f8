"""``manage.py import_employees --tenant SLUG --employer KVK FILE [--dry-run]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from verzuim.absence.errors import AbsenceError
from verzuim.absence.importer.parse import MAX_FILE_BYTES
from verzuim.absence.importer.run import ImportReport, import_employees
from verzuim.absence.models import Employer
from verzuim.tenants.models import Tenant


def _names(names: list[str], limit: int = 10) -> str:
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"Rows read: {report.rows}",
        f"Employees: {report.employees_created} created, {report.employees_updated} "
        f"changed, {report.employees_unchanged} unchanged",
        f"Employments: {report.employments_created} created, {report.employments_updated} "
        f"changed, {report.employments_unchanged} unchanged",
        f"Departments created: {len(report.departments_created)}"
        + (f" ({_names(report.departments_created)})" if report.departments_created else ""),
    ]
    if report.ignored_columns:
        lines.append(f"Ignored columns: {', '.join(report.ignored_columns)}")
    for rejected in report.rejected:
        number = f" ({rejected.personnel_number})" if rejected.personnel_number else ""
        lines.append(f"Row {rejected.line}{number}: {' '.join(rejected.reasons)}")
    return lines


class Command(BaseCommand):
    help = "Import employees and employment records from a payroll CSV (see docs/csv-import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant short name (slug)")
        parser.add_argument("--employer", required=True, help="KvK number of the employer")
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; write nothing"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        tenant = Tenant.objects.filter(slug=opts["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with short name {opts['tenant']!r}.")
        employer = Employer.objects.for_tenant(tenant).filter(kvk_number=opts["employer"]).first()
        if employer is None:
            raise CommandError(f"No employer with KvK number {opts['employer']!r} here.")
        path = Path(opts["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            report = import_employees(employer, data, dry_run=opts["dry_run"])
        except AbsenceError as exc:
            raise CommandError(str(exc.message)) from None
        for line in report_lines(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{len(report.rejected)} row(s) rejected; nothing was written.")
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS("Import done."))
