"""What is kept with a case: documents, appointments, notes, advice and medical notes.

Medical notes are the bedrijfsarts's alone: ``MedicalNote.objects.for_physician(user)`` is
the only way to query them and raises for every other role.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PROBLEM_ANALYSIS = "problem_analysis", _("Probleemanalyse")
    ACTION_PLAN = "action_plan", _("Plan van aanpak")
    EVALUATION = "evaluation", _("Evaluation")
    FIRST_YEAR_EVALUATION = "first_year_evaluation", _("Eerstejaarsevaluatie")
    REINTEGRATION_REPORT = "reintegration_report", _("Re-integratieverslag")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class Confidentiality(models.TextChoices):
    """Who may open a document (and see that it exists)."""

    EMPLOYER = "employer", _("Everyone on the case (HR, manager, case manager, physician)")
    CASE_TEAM = "case_team", _("Case manager and physician only")
    MEDICAL = "medical", _("Physician only (medical)")


class NoteVisibility(models.TextChoices):
    EMPLOYER = "employer", _("Everyone on the case")
    CASE_TEAM = "case_team", _("Case manager and physician only")


class CaseDocument(models.Model):
    case = models.ForeignKey("absence.Case", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type of document"), max_length=30, choices=DocumentKind.choices)
    confidentiality = models.CharField(
        _("who may read it"), max_length=10, choices=Confidentiality.choices,
        default=Confidentiality.EMPLOYER,
    )
    file = models.FileField(upload_to="case-documents/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Appointment(models.Model):
    class With(models.TextChoices):
        PHYSICIAN = "physician", _("Occupational physician (spreekuur)")
        CASE_MANAGER = "case_manager", _("Case manager")

    case = models.ForeignKey(
        "absence.Case", on_delete=models.CASCADE, related_name="appointments"
    )
    with_role = models.CharField(_("with"), max_length=20, choices=With.choices)
    starts_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place or link"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.get_with_role_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class CaseNote(models.Model):
    """A non-medical note; employer-side forms warn not to put medical details here."""

    case = models.ForeignKey("absence.Case", on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), max_length=4000)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=NoteVisibility.choices,
        default=NoteVisibility.EMPLOYER,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Note')} {self.pk}"


class WorkAbilityAdvice(models.Model):
    """The physician's advice that the employer may see: work limitations and capacities,
    expected duration, incapacity percentage — never a diagnosis or complaints."""

    case = models.ForeignKey("absence.Case", on_delete=models.CASCADE, related_name="advice")
    limitations = models.TextField(_("work limitations and capacities"), max_length=4000)
    expected_duration = models.CharField(_("expected duration"), max_length=200, blank=True)
    incapacity = models.PositiveSmallIntegerField(_("incapacity (%)"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work ability advice")
        verbose_name_plural = _("work ability advice")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Advice')} {self.pk}"


class MedicalNoteQuerySet(models.QuerySet["MedicalNote"]):
    def for_physician(self, user: Any) -> MedicalNoteQuerySet:
        """Medical notes this physician may read; raises for anyone without the role."""
        from verzuim.absence.scope import employee_filter, is_physician

        if not is_physician(user):
            raise PermissionError("Only the occupational physician may read medical notes.")
        return self.filter(employee_filter(user, prefix="case__employee__"))


class MedicalNote(models.Model):
    """Part of the medical file: diagnosis, complaints, findings. Physician only."""

    case = models.ForeignKey(
        "absence.Case", on_delete=models.CASCADE, related_name="medical_notes"
    )
    text = models.TextField(_("medical note"), max_length=8000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MedicalNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("medical note")
        verbose_name_plural = _("medical notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Medical note')} {self.pk}"
