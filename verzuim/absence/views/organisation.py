"""Employers, employees and the CSV import. Thin views: every fetch goes through the
scoped query layer (out of scope → 404), the import is one action."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from verzuim.absence.actions.organisation import view_employee
from verzuim.absence.errors import AbsenceError
from verzuim.absence.forms.organisation import EmployeeFilterForm, ImportForm
from verzuim.absence.importer.access import importable_employers
from verzuim.absence.importer.parse import MAX_FILE_BYTES, ImportFileError
from verzuim.absence.importer.run import import_employees
from verzuim.absence.models import Case, Department, Employee, Employer, SickReport
from verzuim.absence.scope import can_report, get_visible_or_404, uses_absence
from verzuim.core.request import Origin

PAGE_SIZE = 50
#: Rejected rows shown on the result page (the rest is counted).
SHOW_REJECTED = 500


def _require_absence(request: HttpRequest) -> None:
    if not uses_absence(request.user):
        raise PermissionDenied


def _open_report():
    return SickReport.objects.filter(
        employee=OuterRef("pk"), withdrawn=False, recovery_date__isnull=True
    )


@login_required
def employers(request: HttpRequest) -> HttpResponse:
    _require_absence(request)
    visible = Employee.objects.visible_to(request.user)
    counts = dict(
        visible.values_list("employer_id").annotate(n=Count("pk")).values_list("employer_id", "n")
    )
    sick = dict(
        visible.filter(Exists(_open_report()))
        .values_list("employer_id")
        .annotate(n=Count("pk"))
        .values_list("employer_id", "n")
    )
    rows = [
        {"employer": e, "employees": counts.get(e.pk, 0), "sick": sick.get(e.pk, 0)}
        for e in Employer.objects.visible_to(request.user)
    ]
    return render(
        request,
        "absence/organisation/employers.html",
        {"rows": rows, "may_import": importable_employers(request.user).exists()},
    )


@login_required
def employees(request: HttpRequest) -> HttpResponse:
    _require_absence(request)
    visible = Employee.objects.visible_to(request.user)
    form = EmployeeFilterForm(request.GET or None, user=request.user, employees=visible)
    listed = visible
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            listed = listed.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(personnel_number__icontains=word)
            )
        if form.cleaned_data["employer"]:
            listed = listed.filter(employer=form.cleaned_data["employer"])
        if form.cleaned_data["department"]:
            below = Department.with_descendants({form.cleaned_data["department"].pk})
            listed = listed.filter(department_id__in=below)
    listed = (
        listed.annotate(is_sick=Exists(_open_report()))
        .select_related("employer", "department", "manager")
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "absence/organisation/employees.html",
        {"form": form, "page": page, "query": query},
    )


@login_required
def employee(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Employee.objects.select_related("employer__tenant", "department", "manager"),
        request.user,
        pk=pk,
    )
    view_employee(employee=person, actor=request.user, origin=Origin.from_request(request))
    reports = (
        SickReport.objects.visible_to(request.user)
        .filter(employee=person)
        .select_related("case")
        .order_by("-first_sick_day", "-pk")
    )
    cases = (
        Case.objects.visible_to(request.user)
        .filter(employee=person)
        .order_by("-first_sick_day", "-pk")
    )
    return render(
        request,
        "absence/organisation/employee.html",
        {
            "employee": person,
            "employments": person.employments.select_related("department", "manager").order_by(
                "-start_date"
            ),
            "reports": reports,
            "cases": cases,
            "is_sick": any(r.is_open for r in reports),
            "may_report": can_report(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    allowed = importable_employers(request.user)
    if not allowed.exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, employers=allowed)
    if request.method == "POST" and form.is_valid():
        employer = form.cleaned_data["employer"]
        data = form.cleaned_data["file"].read(MAX_FILE_BYTES + 1)
        try:
            report = import_employees(
                employer,
                data,
                actor=request.user,
                origin=Origin.from_request(request),
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc.message))
        except AbsenceError as exc:
            form.add_error(None, str(exc.message))
        else:
            return render(
                request,
                "absence/organisation/import_result.html",
                {
                    "report": report,
                    "employer": employer,
                    "rejected": report.rejected[:SHOW_REJECTED],
                    "rejected_hidden": max(0, len(report.rejected) - SHOW_REJECTED),
                    "form": ImportForm(
                        employers=allowed,
                        initial={
                            "employer": employer,
                            "dry_run": not (report.ok and report.dry_run),
                        },
                    ),
                },
            )
    return render(request, "absence/organisation/import.html", {"form": form})
