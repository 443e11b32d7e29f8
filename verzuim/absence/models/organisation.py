"""Employers, their department tree, employees and employment records, and user scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Ordinal used for "no end date" in the integer day columns the figures aggregate over.
OPEN_END = date.max.toordinal()

kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))
payroll_tax_validator = RegexValidator(
    r"^\d{9}L\d{2}$",
    _("A loonheffingennummer looks like 123456789L01: 9 digits, the letter L, 2 digits."),
)
personnel_number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,29}$",
    _("Use up to 30 letters, digits, dots, dashes, slashes or underscores."),
)


class EmployerQuerySet(models.QuerySet["Employer"]):
    def for_tenant(self, tenant: Any) -> EmployerQuerySet:
        return self.filter(tenant=tenant)

    def visible_to(self, user: Any) -> EmployerQuerySet:
        from verzuim.absence.scope import employer_filter

        return self.filter(employer_filter(user)).distinct()


class Employer(models.Model):
    """A client organisation of the tenant (werkgever)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="employers"
    )
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[kvk_validator])
    payroll_tax_number = models.CharField(
        _("loonheffingennummer"), max_length=12, blank=True, validators=[payroll_tax_validator]
    )
    own_risk_zw = models.BooleanField(_("eigenrisicodrager ZW"), default=False)
    own_risk_wga = models.BooleanField(_("eigenrisicodrager WGA"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kvk_number"], name="employer_kvk_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A node of an employer's department tree."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="departments")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "name"], name="department_name_per_employer"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def with_descendants(ids: set[int]) -> set[int]:
        """``ids`` plus every department below them in the tree."""
        found = set(ids)
        frontier = set(ids)
        while frontier:
            frontier = set(
                Department.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            ) - found
            found |= frontier
        return found


class EmployeeQuerySet(models.QuerySet["Employee"]):
    def visible_to(self, user: Any) -> EmployeeQuerySet:
        from verzuim.absence.scope import employee_filter

        return self.filter(employee_filter(user))


class Employee(models.Model):
    """A person employed by an employer, keyed by personeelsnummer. No BSN is stored."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="employees")
    personnel_number = models.CharField(
        _("personnel number"), max_length=30, validators=[personnel_number_validator]
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=120)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    # Cached from the latest employment record (kept by actions.refresh_employee): scope
    # checks and lists filter on these without a join over the employment history.
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="team", verbose_name=_("manager"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "personnel_number"], name="employee_number_per_employer"
            )
        ]
        # The employee list's order: its first page is read from the index, not sorted.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="employee_by_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.personnel_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Employment(models.Model):
    """One employment record: who worked where, how many hours, from when to when."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="employments")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True,
        help_text=_("Last day of employment; empty if ongoing."),
    )
    contract_hours = models.DecimalField(
        _("contract hours per week"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    fulltime_hours = models.DecimalField(
        _("full-time hours per week"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="employments",
        verbose_name=_("department"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("manager"),
    )
    # Integer day numbers (date.toordinal(); end exclusive) and the part-time factor, so the
    # figures can be computed by database aggregation on SQLite and PostgreSQL alike.
    start_ord = models.IntegerField(editable=False, db_index=True)
    end_ord = models.IntegerField(editable=False, db_index=True)
    parttime_factor = models.FloatField(editable=False)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["employee", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "start_date"], name="employment_start_per_employee"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.start_date}–{self.end_date or ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        self.start_ord = self.start_date.toordinal()
        self.end_ord = self.end_date.toordinal() + 1 if self.end_date else OPEN_END
        self.parttime_factor = min(float(self.contract_hours) / float(self.fulltime_hours), 1.0)

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class UserScope(models.Model):
    """Which employer (optionally which department subtree) a user may see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absence_scopes"
    )
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text=_("Empty: the whole employer."),
    )

    class Meta:
        verbose_name = _("access to an employer")
        verbose_name_plural = _("access to employers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "employer", "department"], name="scope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.department or self.employer}"
