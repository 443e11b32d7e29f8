"""Support desk: the right-of-access export of one employee (employees are not users)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verzuim.absence.access_export import as_json, export_employee, find_employee
from verzuim.absence.models import Employer
from verzuim.absence.scope import is_physician
from verzuim.accounts.models import User
from verzuim.core.forms import Form
from verzuim.core.request import Origin
from verzuim.support.forms import REASON_MIN_LENGTH
from verzuim.support.permissions import support_required


class EmployeeLookupForm(Form):
    employer = forms.ModelChoiceField(
        label=_("Employer"), queryset=Employer.objects.none(), empty_label=_("Choose…")
    )
    personnel_number = forms.CharField(label=_("Personnel number"), max_length=30)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class ExportForm(EmployeeLookupForm):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("json", _("JSON (machine-readable)")), ("html", _("Readable page (HTML)"))],
        widget=forms.RadioSelect,
        initial="json",
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN_LENGTH,
        max_length=500,
        help_text=_(
            "Required. Recorded in the audit log, e.g. the request number and how you "
            "checked the requester's identity."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@support_required
def employee_export(request: HttpRequest) -> HttpResponse:
    """GET: find an employee by employer and personnel number. POST: download the export."""
    user = request.user
    assert isinstance(user, User)
    employee = None
    export_form = None
    if request.method == "POST":
        export_form = ExportForm(request.POST, tenant=user.tenant)
        lookup = EmployeeLookupForm(request.POST, tenant=user.tenant)
    else:
        lookup = EmployeeLookupForm(request.GET or None, tenant=user.tenant)
    if lookup.is_valid():
        employee = find_employee(
            user.tenant,
            lookup.cleaned_data["employer"].pk,
            lookup.cleaned_data["personnel_number"],
        )
        if export_form is None and employee is not None:
            export_form = ExportForm(
                initial={
                    "employer": employee.employer_id,
                    "personnel_number": employee.personnel_number,
                    "format": "json",
                },
                tenant=user.tenant,
            )
    if request.method == "POST" and employee is not None and export_form is not None:
        if export_form.is_valid():
            fmt = export_form.cleaned_data["format"]
            data = export_employee(
                employee,
                actor=user,
                fmt=fmt,
                origin=Origin.from_request(request),
                reason=export_form.cleaned_data["reason"],
            )
            stamp = timezone.localdate().isoformat()
            if fmt == "html":
                body = render_to_string(
                    "support/employee_export_document.html", {"data": data}, request=request
                )
                response = HttpResponse(body, content_type="text/html; charset=utf-8")
                extension = "html"
            else:
                response = HttpResponse(as_json(data), content_type="application/json")
                extension = "json"
            response["Content-Disposition"] = (
                f'attachment; filename="inzage-{employee.pk}-{stamp}.{extension}"'
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "support/employee_export.html",
        {
            "lookup": lookup,
            "employee": employee,
            "export_form": export_form,
            "searched": lookup.is_bound and lookup.is_valid(),
            "nav": "employees",
            "user_is_physician": is_physician(user),
        },
    )
