"""``manage.py send_task_reminders [--dry-run]``: the daily task reminder e-mails.

The worker runs this job once a day by itself; running the command on a day it already ran
sends nothing (each user gets at most one reminder e-mail a day).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from verzuim.absence.reminders import send_task_reminders
from verzuim.absence.tasks import REMINDERS, claim_day


class Command(BaseCommand):
    help = "E-mail each responsible user a digest of overdue tasks and tasks due within 7 days."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be sent; send nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        today = timezone.localdate()
        if not dry_run and not claim_day(REMINDERS, today):
            self.stdout.write(f"Reminders for {today.isoformat()} were already sent today.")
            return
        result = send_task_reminders(today=today, dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {len(result.digests)} reminder e-mail(s) covering {result.tasks} task(s)."
        )
        for digest in result.digests:
            self.stdout.write(
                f"  user {digest.user_id}: {digest.overdue} overdue, {digest.due_soon} due soon"
            )
