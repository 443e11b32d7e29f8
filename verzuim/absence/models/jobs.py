"""Bookkeeping of the daily background jobs (task reminders, retention purge)."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """The last day a daily job was claimed. Several workers may race to start a job; the
    conditional update in ``verzuim.absence.tasks.claim_day`` lets exactly one win."""

    name = models.CharField(max_length=60, unique=True)
    last_day = models.DateField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "scheduled run"
        verbose_name_plural = "scheduled runs"

    def __str__(self) -> str:
        return f"{self.name} {self.last_day}"
