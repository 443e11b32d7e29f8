"""The figures dashboard and its exports. Thin: bind the filter form, compute the figures
through the scoped aggregate queries, render or stream a file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verzuim.absence import exports, figure_cache, kpis
from verzuim.absence.chart import trend_svg
from verzuim.absence.forms.figures import FigureFilterForm
from verzuim.absence.models import Employer
from verzuim.absence.scope import uses_absence
from verzuim.core.request import Origin

TEMPLATE = "absence/dashboard/dashboard.html"


def _form(request: HttpRequest) -> FigureFilterForm:
    return FigureFilterForm(request.GET, user=request.user, today=timezone.localdate())


def _has_scope(request: HttpRequest) -> bool:
    return uses_absence(request.user) and Employer.objects.visible_to(request.user).exists()


def _trend(dashboard: kpis.Dashboard) -> dict[str, Any]:
    points = [(formats.date_format(m.period.start, "M Y"), m.percentage) for m in dashboard.trend]
    chart = trend_svg(
        points,
        title=_("Absence percentage per month"),
        description=_(
            "Bar chart of the absence percentage of the last %(n)d months; the "
            "same numbers follow in a table."
        )
        % {"n": len(points)},
        no_data=_("No employees in this selection."),
        decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
    )
    return {"chart": chart, "months": dashboard.trend}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not _has_scope(request):
        return render(request, TEMPLATE, {"no_scope": True})
    form = _form(request)
    context: dict[str, Any] = {"form": form, "query": request.GET.urlencode()}
    if form.is_valid():
        sel, period = form.selection(), form.period
        what = ("dashboard", sel.employer_id, sorted(sel.department_ids or ()), period)
        result = figure_cache.remembered(
            request.user, what, lambda: kpis.dashboard(sel, period)
        )
        context.update(dashboard=result, total=result.total, **_trend(result))
    return render(request, TEMPLATE, context)


def _export_request(request: HttpRequest) -> tuple[str, Any, HttpResponse | None]:
    """The format and the valid filter form of an export, or the way back explaining why not."""
    if not _has_scope(request):
        raise Http404
    fmt = request.GET.get("format", "csv")
    form = _form(request)
    if fmt not in exports.FORMATS:
        return fmt, form, _back(request, _("Choose CSV or Excel."))
    if not form.is_valid():
        return fmt, form, _back(request, _("Correct the filter before exporting."))
    return fmt, form, None


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The figures per department and per month as CSV or Excel."""
    fmt, form, refused = _export_request(request)
    if refused is not None:
        return refused
    sel, period = form.selection(), form.period
    result = kpis.dashboard(sel, period, trend_count=1)
    months = kpis.monthly(sel, period)
    sheets = exports.figure_sheets(result.total, result.rows, months)
    exports.record_export(
        actor=request.user,
        kind="figures",
        fmt=fmt,
        data=form.audit_data(),
        rows=len(result.rows) + len(months),
        origin=Origin.from_request(request),
    )
    return exports.file_response("verzuimcijfers", fmt, sheets)


@login_required
@require_GET
def reports_export(request: HttpRequest) -> HttpResponse:
    """The sick reports in scope with a sick day in the period (no medical data)."""
    fmt, form, refused = _export_request(request)
    if refused is not None:
        return refused
    rows = exports.report_rows(exports.reports_in(form.selection(), form.period))
    exports.record_export(
        actor=request.user,
        kind="sick_reports",
        fmt=fmt,
        data=form.audit_data(),
        rows=len(rows),
        origin=Origin.from_request(request),
    )
    return exports.file_response(
        "ziekmeldingen", fmt, [(_("Sick reports"), exports.report_header(), rows)]
    )


def _back(request: HttpRequest, message: str) -> HttpResponse:
    """Back to the dashboard with the same filters, where the form shows what is wrong."""
    messages.error(request, message)
    query = request.GET.copy()
    query.pop("format", None)
    url = reverse("absence:dashboard")
    return redirect(f"{url}?{query.urlencode()}" if query else url)
