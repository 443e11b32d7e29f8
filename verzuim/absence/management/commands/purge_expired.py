"""``manage.py purge_expired [--dry-run] [--today YYYY-MM-DD]``: the retention job."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from verzuim.absence.retention import purge_expired


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError("use YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Remove sick-leave data past its retention term: re-integration dossiers 2 years "
        "after the case ended (5 for eigenrisicodrager ZW), administrative absence data 2 "
        "years after the employment ended. Runs daily from the worker too."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; remove nothing."
        )
        parser.add_argument(
            "--today", type=iso_day, default=None, help="Pretend it is this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, dry_run: bool, today: date | None, **options: Any) -> None:
        result = purge_expired(today=today, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"Retention check for {result.day.isoformat()}"
            + (" (dry run: nothing removed)" if dry_run else "")
        )
        self.stdout.write(
            f"{verb} {len(result.cases)} re-integration dossier(s): case ids "
            + (", ".join(map(str, result.cases)) or "none")
        )
        self.stdout.write(
            f"{verb} administrative data of {len(result.employees)} employee(s): employee ids "
            + (", ".join(map(str, result.employees)) or "none")
        )
        for key, value in sorted(result.counts.items()):
            self.stdout.write(f"  {key}: {value}")
