"""Forms of the organisation pages: the employee list filter and the CSV import upload.

Forms validate only; the import action (``absence.importer.run``) writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from verzuim.absence.importer.parse import MAX_FILE_BYTES, MAX_ROWS
from verzuim.absence.models import Department, Employee, Employer
from verzuim.core.forms import Form


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.employer.name})"


class EmployeeFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name or personnel number."),
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
    )

    def __init__(self, *args: Any, user: Any, employees: QuerySet[Employee], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.visible_to(user)  # type: ignore[attr-defined]
        # Only departments the user sees employees in: no names from outside the scope.
        self.fields["department"].queryset = (  # type: ignore[attr-defined]
            Department.objects.filter(pk__in=employees.values("department_id"))
            .select_related("employer")
            .order_by("employer__name", "name")
        )


class ImportForm(Form):
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=Employer.objects.none(),
        help_text=_("The employees in the file are imported into this employer."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _(
                "A payroll export, one row per employment, separated by semicolons or "
                "commas, in UTF-8. At most {mb} MB and {rows} rows."
            ),
            mb=MAX_FILE_BYTES // (1024 * 1024),
            rows=MAX_ROWS,
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): show what would change, write nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, employers: QuerySet[Employer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers  # type: ignore[attr-defined]
        if employers.count() == 1:
            self.fields["employer"].initial = employers.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB. Split it into smaller files.")
                % {"max": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
