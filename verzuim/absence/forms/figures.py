"""The dashboard's filter form (GET): period, employer, department. Validates only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from verzuim.absence.kpis import DEFAULT_PRESET, PRESETS, Period, Selection, preset_period
from verzuim.absence.models import Department, Employee, Employer, Employment, UserScope
from verzuim.absence.scope import SCOPE_ROLES, has_any_role
from verzuim.core.forms import Form

#: The longest period one may ask for (five years and a leap day).
MAX_PERIOD_DAYS = 5 * 365 + 1


def visible_departments(user: Any) -> QuerySet[Department]:
    """Departments the user may filter on: those in the employment records of the
    employees they see, plus, for scope roles, every department of a whole employer (or
    department subtree) given to them."""
    employees = Employee.objects.visible_to(user)
    ids = set(
        Employment.objects.filter(employee__in=employees)
        .exclude(department=None)
        .values_list("department_id", flat=True)
        .distinct()
        .order_by()
    )
    whole: set[int] = set()
    if has_any_role(user, SCOPE_ROLES):
        rows = UserScope.objects.filter(user=user, employer__tenant_id=user.tenant_id)
        whole = set(rows.filter(department=None).values_list("employer_id", flat=True))
        ids |= Department.with_descendants(
            set(rows.exclude(department=None).values_list("department_id", flat=True))
        )
    return (
        Department.objects.filter(Q(pk__in=ids) | Q(employer_id__in=whole))
        .filter(employer__tenant_id=user.tenant_id)
        .select_related("employer")
        .order_by("employer__name", "name")
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.employer.name})"


class FigureFilterForm(Form):
    preset = forms.ChoiceField(
        label=_("Period"), choices=[("", _("Own dates (below)")), *PRESETS], required=False
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Your own dates take precedence over the period above."),
    )
    date_to = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=Employer.objects.none(),
        required=False,
        empty_label=_("All employers"),
    )
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
        help_text=_("Includes its sub-departments."),
    )

    def __init__(self, *args: Any, user: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Show what is used: own dates win over a preset; no choice at all means the
            # default preset.
            data = dict(self.data.items())
            if data.get("date_from") or data.get("date_to"):
                data["preset"] = ""
            elif not data.get("preset"):
                data["preset"] = DEFAULT_PRESET
            self.data = data
        self.user = user
        self.today = today
        self.fields["employer"].queryset = Employer.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["department"].queryset = visible_departments(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Enter both dates, or neither."))
            if end < start:
                self.add_error("date_to", _("The end date must be on or after the start date."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Choose a period of at most five years."))
            else:
                data["period"] = Period(start, end)
        else:
            data["period"] = preset_period(data.get("preset") or DEFAULT_PRESET, self.today)
        employer, department = data.get("employer"), data.get("department")
        if employer and department and department.employer_id != employer.pk:
            self.add_error("department", _("This department is not part of the chosen employer."))
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    def selection(self) -> Selection:
        employer = self.cleaned_data.get("employer")
        department = self.cleaned_data.get("department")
        return Selection(
            user=self.user,
            employer_id=employer.pk if employer else None,
            department_ids=(
                frozenset(Department.with_descendants({department.pk})) if department else None
            ),
        )

    def audit_data(self) -> dict[str, Any]:
        """Ids and dates only, for the audit log."""
        employer = self.cleaned_data.get("employer")
        department = self.cleaned_data.get("department")
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "employer": employer.pk if employer else None,
            "department": department.pk if department else None,
        }
