"""Sick reports (ziekmeldingen) with their append-only mutation history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    SICK = "sick", _("Sick")
    WORK_ACCIDENT = "work_accident", _("Accident at work")
    ACCIDENT_RECOURSE = "accident_recourse", _("Accident with recourse (third party)")
    ORGAN_DONATION = "organ_donation", _("Organ donation")
    PREGNANCY = "pregnancy", _("Pregnancy-related")


class ExpectedDuration(models.TextChoices):
    UNKNOWN = "unknown", _("Not known yet")
    UP_TO_WEEK = "week", _("Up to 1 week")
    UP_TO_6_WEEKS = "6_weeks", _("1 to 6 weeks")
    UP_TO_3_MONTHS = "3_months", _("6 weeks to 3 months")
    LONGER = "longer", _("More than 3 months")


class MutationKind(models.TextChoices):
    REPORTED = "reported", _("Reported sick")
    PARTIAL_RECOVERY = "partial", _("Partial recovery")
    FULL_RECOVERY = "full", _("Full recovery")
    INCREASE = "increase", _("Incapacity increased")
    CORRECTION = "correction", _("Correction")
    WITHDRAWN = "withdrawn", _("Report withdrawn (entered in error)")


class SickReportQuerySet(models.QuerySet["SickReport"]):
    def visible_to(self, user: Any) -> SickReportQuerySet:
        from verzuim.absence.scope import employee_filter

        return self.filter(employee_filter(user, prefix="employee__"))

    def active(self) -> SickReportQuerySet:
        return self.filter(withdrawn=False)


class SickReport(models.Model):
    """A ziekmelding. The dates and percentage below are a cache of the mutation history,
    recomputed by ``actions`` after each mutation; the history itself is never changed."""

    employee = models.ForeignKey(
        "absence.Employee", on_delete=models.CASCADE, related_name="sick_reports"
    )
    case = models.ForeignKey(
        "absence.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    report_date = models.DateField(_("report date"))
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices,
        default=Classification.SICK,
    )
    expected_duration = models.CharField(
        _("expected duration"), max_length=10, choices=ExpectedDuration.choices,
        default=ExpectedDuration.UNKNOWN,
    )
    nursing_address = models.CharField(
        _("temporary (nursing) address"), max_length=200, blank=True,
        help_text=_("Only if the employee stays somewhere other than at home."),
    )
    nursing_phone = models.CharField(_("phone number at that address"), max_length=20, blank=True)
    safety_net = models.BooleanField(_("safety-net (vangnet) rule applies"), default=False)
    third_party_liable = models.BooleanField(_("a third party may be liable"), default=False)
    new_work_override = models.BooleanField(
        _("new agreed work (starts a new case)"), default=False
    )
    # --- cache of the history (see actions.apply_history) ---
    first_sick_day = models.DateField(_("first sick day"), db_index=True)
    recovery_date = models.DateField(
        _("recovery date"), null=True, blank=True, db_index=True,
        help_text=_("First day fully fit again."),
    )
    incapacity = models.PositiveSmallIntegerField(_("current incapacity (%)"), default=100)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SickReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("sick report")
        verbose_name_plural = _("sick reports")
        ordering = ["-first_sick_day", "-id"]

    def __str__(self) -> str:
        return f"{self.employee} {self.first_sick_day}"

    @property
    def is_open(self) -> bool:
        return self.recovery_date is None and not self.withdrawn


class AppendOnlyQuerySet(models.QuerySet["SickReportMutation"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Sick report mutations are append-only.")


class SickReportMutation(models.Model):
    """One entry in a report's history. Never changed or deleted (except by the retention
    purge, which removes whole dossiers): a correction is a new row that supersedes one."""

    report = models.ForeignKey(SickReport, on_delete=models.CASCADE, related_name="mutations")
    kind = models.CharField(_("kind"), max_length=12, choices=MutationKind.choices)
    effective_date = models.DateField(_("date"))
    incapacity = models.PositiveSmallIntegerField(
        _("incapacity (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("sick report change")
        verbose_name_plural = _("sick report changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date} ({self.incapacity}%)"


    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Sick report mutations are append-only.")
        super().save(*args, **kwargs)


class AbsenceSegment(models.Model):
    """A stretch of one report with constant incapacity, in integer day numbers (end
    exclusive; open end = ``OPEN_END``). Derived from the history by ``actions``; the
    figures aggregate over these rows in the database."""

    report = models.ForeignKey(SickReport, on_delete=models.CASCADE, related_name="segments")
    employee = models.ForeignKey(
        "absence.Employee", on_delete=models.CASCADE, related_name="absence_segments"
    )
    start_ord = models.IntegerField(db_index=True)
    end_ord = models.IntegerField(db_index=True)
    fraction = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["employee", "start_ord"])]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.start_ord}–{self.end_ord} ({self.fraction:.2f})"
