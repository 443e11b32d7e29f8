"""Poortwachter cases (trajecten), the protocol they follow, and their tasks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from verzuim.absence import poortwachter


class Protocol(models.Model):
    """A versioned Poortwachter protocol: steps as data (``poortwachter.ProtocolStep``).

    A tenant edits its protocol by adding a new version; cases keep the version they
    started with, so a change never silently moves the deadlines of running cases.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="protocols"
    )
    version = models.CharField(_("version"), max_length=30)
    steps = models.JSONField(_("steps"))
    is_active = models.BooleanField(_("used for new cases"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Poortwachter protocol")
        verbose_name_plural = _("Poortwachter protocols")
        ordering = ["tenant", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="protocol_version")
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.version}"

    def clean(self) -> None:
        try:
            poortwachter.protocol_from_dicts(self.steps or [])
        except poortwachter.InvalidProtocol as exc:
            raise ValidationError({"steps": list(exc.errors)}) from exc

    def parsed(self) -> tuple[poortwachter.ProtocolStep, ...]:
        return poortwachter.protocol_from_dicts(self.steps)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> CaseQuerySet:
        from verzuim.absence.scope import employee_filter

        return self.filter(employee_filter(user, prefix="employee__"))


class Case(models.Model):
    """A traject: sick reports added together under the 28-day rule. Dates are a cache of
    the grouping computed by ``poortwachter.group_into_cases`` (see ``actions``)."""

    employee = models.ForeignKey(
        "absence.Employee", on_delete=models.CASCADE, related_name="cases"
    )
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="cases")
    first_sick_day = models.DateField(_("first sick day"), db_index=True)
    recovery_date = models.DateField(_("recovery date"), null=True, blank=True, db_index=True)
    fit_days_between = models.PositiveIntegerField(_("fit days in between"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-first_sick_day", "-id"]

    def __str__(self) -> str:
        return f"{self.employee} {self.first_sick_day}"

    @property
    def is_open(self) -> bool:
        return self.recovery_date is None


class TaskState(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    #: The history changed (recovery, correction) so the task no longer applies.
    LAPSED = "lapsed", _("No longer needed")


class CaseTaskQuerySet(models.QuerySet["CaseTask"]):
    def visible_to(self, user: Any) -> CaseTaskQuerySet:
        from verzuim.absence.scope import employee_filter

        return self.filter(employee_filter(user, prefix="case__employee__"))


class CaseTask(models.Model):
    """A Poortwachter task of a case, computed from its protocol (``compute_tasks``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(max_length=60)
    code = models.CharField(max_length=40)
    title = models.CharField(_("task"), max_length=200)
    role = models.CharField(_("responsible"), max_length=30)
    due_date = models.DateField(_("due"), null=True, blank=True, db_index=True)
    window_end = models.DateField(_("at the latest"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    sick_day = models.IntegerField()
    state = models.CharField(
        _("status"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    reminded_for = models.DateField(null=True, blank=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "sick_day", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="task_key_per_case")]
        # The action list and the reminders read open tasks by deadline.
        indexes = [
            models.Index(
                fields=["deadline", "case"],
                condition=models.Q(state="open"),
                name="open_task_by_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.deadline})"

    @property
    def display_title(self) -> str:
        """The title in the user's language (built-in protocol steps are translated)."""
        from verzuim.absence.labels import task_title

        return task_title(self.title)
