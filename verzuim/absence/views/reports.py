"""Ziek melden, herstel melden, corrections and withdrawal. Thin: scoped fetch, form,
one action, redirect; ``AbsenceError`` becomes a message on the form."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from verzuim.absence import actions
from verzuim.absence.errors import AbsenceError
from verzuim.absence.forms.reports import (
    NO_MEDICAL_INFORMATION,
    CorrectionForm,
    RecoveryForm,
    SickReportForm,
    WithdrawForm,
)
from verzuim.absence.models import Employee, SickReport
from verzuim.absence.scope import can_report, get_visible_or_404
from verzuim.absence.views.case_page import employee_url, report_history
from verzuim.core.request import Origin


def _report_or_404(request: HttpRequest, pk: int) -> SickReport:
    report = get_visible_or_404(
        SickReport.objects.select_related("employee__employer", "case"), request.user, pk=pk
    )
    if not can_report(request.user):
        raise PermissionDenied
    return report


def _after(report: SickReport) -> str:
    report.refresh_from_db()
    if report.case_id:
        return reverse("absence:case", args=[report.case_id])
    return employee_url(report.employee)


@login_required
def report_sick(request: HttpRequest, employee_pk: int) -> HttpResponse:
    employee = get_visible_or_404(
        Employee.objects.select_related("employer"), request.user, pk=employee_pk
    )
    if not can_report(request.user):
        raise PermissionDenied
    form = SickReportForm(request.POST or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.report_sick(
                employee=employee,
                actor=request.user,
                origin=Origin.from_request(request),
                **form.action_kwargs(),
            )
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("%(name)s has been reported sick.") % {"name": employee.full_name}
            )
            return redirect(_after(report))
    return render(
        request,
        "absence/cases/report_sick.html",
        {
            "employee": employee,
            "form": form,
            "employee_url": employee_url(employee),
            "no_medical": NO_MEDICAL_INFORMATION,
        },
    )


def _change_report(
    request: HttpRequest,
    report: SickReport,
    form: forms.Form,
    change: Callable[[], object],
    *,
    done: str,
    template: str,
    history: bool = True,
) -> HttpResponse:
    """The shared shape of recovery, correction and withdrawal: validate, change through
    the action, say so, back to the case; a refusal shows on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            change()
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, done)
            return redirect(_after(report))
    context: dict[str, object] = {"report": report, "form": form}
    if history:
        context["history"] = report_history(report)
    return render(request, template, context)


@login_required
def report_recovery(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = RecoveryForm(request.POST or None, report=report)
    return _change_report(
        request,
        report,
        form,
        lambda: actions.report_change(
            report=report,
            actor=request.user,
            on=form.cleaned_data["on"],
            incapacity=form.new_incapacity(),
            origin=Origin.from_request(request),
        ),
        done=_("The change has been recorded."),
        template="absence/cases/report_recovery.html",
    )


@login_required
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = CorrectionForm(request.POST or None, report=report)
    return _change_report(
        request,
        report,
        form,
        lambda: actions.correct_mutation(
            mutation=form.mutation(),
            actor=request.user,
            effective_date=form.cleaned_data["effective_date"],
            incapacity=form.cleaned_data["incapacity"],
            reason=form.cleaned_data["reason"],
            origin=Origin.from_request(request),
        ),
        done=_("The correction has been recorded."),
        template="absence/cases/report_correct.html",
    )


@login_required
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = WithdrawForm(request.POST or None)
    return _change_report(
        request,
        report,
        form,
        lambda: actions.withdraw_report(
            report=report,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            origin=Origin.from_request(request),
        ),
        done=_("The sick report has been withdrawn."),
        template="absence/cases/report_withdraw.html",
        history=False,
    )
