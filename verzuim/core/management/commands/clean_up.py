"""``manage.py clean_up [--dry-run]``: remove operational rows past their term."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from verzuim.core.housekeeping import clean_up


class Command(BaseCommand):
    help = (
        "Remove error reports and support requests after a year, sent messages after 90 days, "
        "expired sessions, and SMS challenges, throttle counters and expired trusted browsers "
        "after 30 days. Runs daily from the worker too."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; remove nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        counts = clean_up(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"{verb} {count} {kind.replace('_', ' ')}")
