"""Daily background jobs of sick-leave management, run through the task queue.

The message worker calls :func:`enqueue_daily_jobs` every round. Each job is claimed once
per day in the database (:func:`claim_day`), so several workers never run it twice.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

#: Local hour from which the daily jobs start (reminders arrive at the start of the day).
DAILY_JOBS_HOUR = 6
REMINDERS = "task_reminders"
PURGE = "retention_purge"
CLEAN_UP = "clean_up"


def claim_day(name: str, day: date) -> bool:
    """Claim job ``name`` for ``day``; True for exactly one caller per day.

    A conditional update (``last_day`` before ``day``) whose row count says who won; the
    row is created on first use (a lost insert race is harmless: the update decides).
    """
    from verzuim.absence.models import ScheduledRun

    try:
        with transaction.atomic():
            ScheduledRun.objects.get_or_create(name=name)
    except IntegrityError:
        pass
    won = (
        ScheduledRun.objects.filter(name=name)
        .filter(Q(last_day__isnull=True) | Q(last_day__lt=day))
        .update(last_day=day, claimed_at=timezone.now())
    )
    return won == 1


@task(queue_name="default")
def send_task_reminders_task(day: str | None = None) -> dict[str, int]:
    from verzuim.absence.reminders import send_task_reminders

    result = send_task_reminders(today=date.fromisoformat(day) if day else None)
    return {"emails": result.emails, "tasks": result.tasks}


@task(queue_name="default")
def purge_expired_task(day: str | None = None) -> dict[str, int]:
    from verzuim.absence.retention import purge_expired

    result = purge_expired(today=date.fromisoformat(day) if day else None)
    return {"cases": len(result.cases), "employees": len(result.employees)}


@task(queue_name="default")
def clean_up_task(day: str | None = None) -> dict[str, int]:
    from verzuim.core.housekeeping import clean_up

    return clean_up()


def enqueue_daily_jobs() -> list[str]:
    """Enqueue today's reminders and purge if no worker did so yet; returns what was queued."""
    local = timezone.localtime()
    if local.hour < DAILY_JOBS_HOUR:
        return []
    today = local.date()
    queued: list[str] = []
    jobs = ((REMINDERS, send_task_reminders_task), (PURGE, purge_expired_task),
            (CLEAN_UP, clean_up_task))
    for name, job in jobs:
        with transaction.atomic():  # the claim and the queued task stand or fall together
            if not claim_day(name, today):
                continue
            job.enqueue(today.isoformat())
        queued.append(name)
        logger.info("Daily job %s queued for %s", name, today)
    return queued
