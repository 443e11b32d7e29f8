"""CSV and Excel exports of the figures and of the sick reports, safe to open in a
spreadsheet (no formula injection) and free of medical data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from verzuim.absence.kpis import Figures, Period, Selection
from verzuim.absence.models import Classification, Employment, SickReport
from verzuim.absence.scope import employee_filter
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | date | None
Sheet = tuple[str, list[str], list[list[Cell]]]


def safe_cell(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula gets a leading quote; numbers and dates
    stay typed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- figures ----------------------------------------------------------------------------


def figure_header() -> list[str]:
    return [
        _("employer"),
        _("department"),
        _("from"),
        _("to"),
        _("absence percentage"),
        _("sick days (weighted)"),
        _("available days (weighted)"),
        _("report frequency (per year)"),
        _("new sick reports"),
        _("average headcount"),
        _("reports ended"),
        _("average duration (days)"),
        _("1-14 days"),
        _("15-91 days"),
        _("92-365 days"),
        _("366-730 days"),
        _("more than 730 days"),
        _("employed the whole period"),
        _("of whom no absence"),
        _("zero absence (%)"),
    ]


def figure_row(figures: Figures, employer: str, department: str) -> list[Cell]:
    return [
        employer,
        department,
        figures.period.start,
        figures.period.end,
        _round(figures.percentage, 2),
        round(figures.sick, 2),
        round(figures.available, 2),
        _round(figures.frequency, 2),
        figures.new_reports,
        round(figures.average_headcount, 2),
        figures.ended_reports,
        _round(figures.average_duration, 1),
        *[figures.classes[key] for key in figures.classes],
        figures.whole_period,
        figures.zero_absence,
        _round(figures.zero_share, 1),
    ]


def figure_sheets(
    total: Figures, rows: Sequence[Figures], months: Sequence[Figures]
) -> list[Sheet]:
    """Two sheets: the period per department (and the total), and the period per month."""
    everyone = _("All")
    no_department = _("No department")
    per_department = [figure_row(total, everyone, everyone)] + [
        figure_row(r, r.employer, r.department or no_department) for r in rows
    ]
    per_month = [figure_row(m, everyone, everyone) for m in months]
    header = figure_header()
    return [(_("Departments"), header, per_department), (_("Months"), header, per_month)]


# --- sick reports -----------------------------------------------------------------------


def reports_in(sel: Selection, period: Period) -> QuerySet[SickReport]:
    """Sick reports in scope with at least one sick day in ``period`` (withdrawn ones
    excluded), with the department of the employment record on the first sick day."""
    department = Subquery(
        Employment.objects.filter(
            employee_id=OuterRef("employee_id"), start_date__lte=OuterRef("first_sick_day")
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("first_sick_day")))
        .order_by("-start_date")
        .values("department__name")[:1]
    )
    department_id = Subquery(
        Employment.objects.filter(
            employee_id=OuterRef("employee_id"), start_date__lte=OuterRef("first_sick_day")
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("first_sick_day")))
        .order_by("-start_date")
        .values("department_id")[:1]
    )
    qs = (
        SickReport.objects.filter(employee_filter(sel.user, prefix="employee__"))
        .filter(withdrawn=False, first_sick_day__lte=period.end)
        .filter(Q(recovery_date__isnull=True) | Q(recovery_date__gt=period.start))
        .annotate(department_name=department, department_key=department_id)
    )
    if sel.employer_id is not None:
        qs = qs.filter(employee__employer_id=sel.employer_id)
    if sel.department_ids is not None:
        qs = qs.filter(department_key__in=sel.department_ids)
    return qs.select_related("employee", "employee__employer").order_by(
        "employee__employer__name", "first_sick_day", F("employee__personnel_number").asc()
    )


def report_header() -> list[str]:
    return [
        _("employer"),
        _("personnel number"),
        _("name"),
        _("department"),
        _("first sick day"),
        _("recovery date"),
        _("classification"),
        _("incapacity (%)"),
    ]


def report_rows(reports: Iterable[SickReport]) -> list[list[Cell]]:
    labels = dict(Classification.choices)
    return [
        [
            r.employee.employer.name,
            r.employee.personnel_number,
            r.employee.full_name,
            getattr(r, "department_name", None) or "",
            r.first_sick_day,
            r.recovery_date,
            str(labels.get(r.classification, r.classification)),
            0 if r.recovery_date else r.incapacity,
        ]
        for r in reports
    ]


# --- files ------------------------------------------------------------------------------


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(value))


def render_csv(sheets: Sequence[Sheet]) -> str:
    """One CSV; with more than one sheet, a first column names the sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    many = len(sheets) > 1
    for i, (title, header, rows) in enumerate(sheets):
        if i == 0:
            writer.writerow(([_("table")] if many else []) + header)
        for row in rows:
            writer.writerow(([title] if many else []) + [_csv_value(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def render_xlsx(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(name: str, fmt: str, sheets: Sequence[Sheet]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(render_xlsx(sheets), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(render_csv(sheets), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def record_export(
    *, actor: Any, kind: str, fmt: str, data: dict[str, Any], rows: int, origin: Origin = SYSTEM
) -> None:
    """Audit an export: what kind, which format and period; ids and dates only."""
    record(
        Event.ABSENCE_EXPORTED,
        origin=origin,
        actor=actor,
        tenant=actor.tenant,
        data={"kind": kind, "format": fmt, "rows": rows, **data},
    )
