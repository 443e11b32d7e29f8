"""The dashboard and its exports, as users and attackers see them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory, grant_scope
from verzuim.absence.actions import report_change, report_sick, withdraw_report
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db

URL = "/verzuim/dashboard/"
EXPORT = "/verzuim/dashboard/export/"
REPORTS = "/verzuim/dashboard/export/ziekmeldingen/"
Q2 = {"date_from": "2025-04-01", "date_to": "2025-06-30"}


def sick(employee, actor, first, fit=None):
    report = report_sick(employee=employee, actor=actor, first_sick_day=first)
    if fit:
        report_change(report=report, actor=actor, on=fit, incapacity=0)
    return report


@pytest.fixture
def broker_user(tenant, employer):
    user = UserFactory(tenant=tenant, username="bram.broker", roles=["broker"])
    grant_scope(user, employer)
    return user


@pytest.fixture
def admin_user(tenant):
    return UserFactory(tenant=tenant, username="tina.admin", roles=["tenant_admin"])


@pytest.fixture
def data(scoped, employee, warehouse_employee, other_employer, hr_user):
    """`employee` (Sales) sick 10 days in May; `warehouse_employee` not; a person at
    another employer of the same tenant sick all quarter."""
    sick(employee, hr_user, date(2025, 5, 1), date(2025, 5, 11))
    outsider = EmployeeFactory(
        employer=other_employer, first_name="Olga", last_name="Buitenstaander"
    )
    sick(outsider, hr_user, date(2025, 3, 1))
    return outsider


@pytest.fixture
def login_as(request, client, logged_in_client, other_tenant):
    """Log in the named user fixture, at their own tenant's address."""

    def login(who):
        user = request.getfixturevalue(who)
        if user.tenant_id == other_tenant.pk:
            client.defaults["HTTP_HOST"] = other_tenant.host
        return logged_in_client(user)

    return login


def figure(response, ident):
    html = response.content.decode()
    start = html.index(f'id="{ident}"')
    value_at = html.index('class="figure-value">', start) + len('class="figure-value">')
    return html[value_at : html.index("</p>", value_at)]


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["hr_user", "case_manager_user", "physician_user", "broker_user", "manager_user"]
)
def test_roles_that_use_absence_data_see_figures(request, data, who, logged_in_client):
    client = logged_in_client(request.getfixturevalue(who))
    response = client.get(URL, Q2)
    assert response.status_code == 200
    assert 'id="figures"' in response.content.decode()
    assert "<svg" in response.content.decode()


@pytest.mark.parametrize("who", ["support_user", "admin_user", "foreign_user"])
def test_users_without_scope_see_an_empty_state(data, who, login_as):
    client = login_as(who)
    response = client.get(URL, Q2)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No figures to show" in html
    assert 'id="figures"' not in html
    assert "Bakkerij" not in html


def test_another_tenants_user_sees_only_their_own_employer(
    data, other_tenant, foreign_user, login_as
):
    from tests.factories import EmployerFactory

    theirs = EmployerFactory(tenant=other_tenant, name="Hun Werkgever B.V.")
    grant_scope(foreign_user, theirs)
    EmployeeFactory(employer=theirs)
    response = login_as("foreign_user").get(URL, Q2)
    html = response.content.decode()
    assert "Hun Werkgever B.V." in html
    assert figure(response, "figure-percentage") == "0.0%"
    assert "Bakkerij" not in html and "Verkoop" not in html


def test_login_required(client, data):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_hr_sees_the_figures_of_their_employer_only(data, hr_user, logged_in_client):
    response = logged_in_client(hr_user).get(URL, Q2)
    html = response.content.decode()
    # Two employees over 91 days, 10 sick days: 10 / 182 = 5.5 %.
    assert figure(response, "figure-percentage") == "5.5%"
    assert figure(response, "figure-duration") == "10.0 days"
    assert figure(response, "figure-zero") == "50.0%"
    assert "Verkoop" in html and "Magazijn" in html
    assert "Andere Werkgever" not in html  # neither in the figures nor in the choices


def test_manager_sees_their_team_only(data, manager_user, logged_in_client):
    response = logged_in_client(manager_user).get(URL, Q2)
    html = response.content.decode()
    assert figure(response, "figure-percentage") == "11.0%"  # 10 / 91
    assert "Magazijn" not in html


def test_employer_outside_scope_cannot_be_chosen(data, other_employer, hr_user, logged_in_client):
    response = logged_in_client(hr_user).get(URL, {**Q2, "employer": other_employer.pk})
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert 'id="figures"' not in html


def test_department_filter_includes_sub_departments(
    data, employer, sales, hr_user, logged_in_client
):
    shop = DepartmentFactory(employer=employer, name="Winkel", parent=sales)
    shopkeeper = EmployeeFactory(employer=employer, department=shop)
    sick(shopkeeper, hr_user, date(2025, 6, 1), date(2025, 6, 11))
    response = logged_in_client(hr_user).get(URL, {**Q2, "department": sales.pk})
    html = response.content.decode()
    # Sales and its shop: 20 sick days of 182.
    assert figure(response, "figure-percentage") == "11.0%"
    assert "Winkel" in html
    assert "Magazijn</th>" not in html


def test_department_of_another_employer_is_refused(
    data, employer, other_employer, hr_user, logged_in_client
):
    grant_scope(hr_user, other_employer)
    elsewhere = DepartmentFactory(employer=other_employer, name="Elders")
    response = logged_in_client(hr_user).get(
        URL, {**Q2, "employer": employer.pk, "department": elsewhere.pk}
    )
    assert "This department is not part of the chosen employer." in response.content.decode()


def test_reversed_dates_show_an_error_not_figures(data, hr_user, logged_in_client):
    response = logged_in_client(hr_user).get(
        URL, {"date_from": "2025-06-30", "date_to": "2025-04-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in html
    assert 'id="figures"' not in html


def test_presets_own_dates_and_the_default(data, hr_user, logged_in_client):
    client = logged_in_client(hr_user)
    html = client.get(URL).content.decode()
    assert '<option value="last_12_months" selected>' in html
    assert 'id="figures"' in html
    html = client.get(URL, {"preset": "last_quarter"}).content.decode()
    assert '<option value="last_quarter" selected>' in html
    # Own dates win over a preset, and the form says so.
    html = client.get(URL, {**Q2, "preset": "this_month"}).content.decode()
    assert '<option value="" selected>Own dates (below)</option>' in html
    assert "From 1 April 2025 to 30 June 2025 (91 days)." in html


def test_chart_is_inline_svg_with_a_table_and_no_inline_style_or_script(
    data, hr_user, logged_in_client
):
    response = logged_in_client(hr_user).get(URL, Q2)
    html = response.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert ' style="' not in svg and "<script" not in svg
    assert 'role="img"' in svg
    assert "The chart as a table" in html
    # 12 months up to June 2025 in the table; May: 10 sick days of 62 available.
    assert "July 2024" in html and "June 2025" in html
    assert "16.1%" in html
    assert "<script" not in html


# --- exports ------------------------------------------------------------------------------------


def test_figures_csv_export(data, hr_user, logged_in_client):
    response = logged_in_client(hr_user).get(EXPORT, {**Q2, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["table", "employer", "department", "from"]
    by_name = {(r[0], r[2]): r for r in body}
    percentage = header.index("absence percentage")
    assert by_name[("Departments", "All")][percentage] == "5.49"
    assert by_name[("Departments", "Verkoop")][percentage] == "10.99"
    assert by_name[("Departments", "Magazijn")][percentage] == "0.0"
    months = [r for r in body if r[0] == "Months"]
    assert [m[header.index("from")] for m in months] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert "Andere Werkgever B.V." not in response.content.decode()


def test_figures_xlsx_export_and_audit(data, hr_user, logged_in_client):
    response = logged_in_client(hr_user).get(EXPORT, {**Q2, "format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Departments", "Months"]
    sheet = book["Departments"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("absence percentage") + 1).value == 5.49
    event = AuditEvent.objects.get(event=Event.ABSENCE_EXPORTED)
    assert event.actor == hr_user
    assert event.data["kind"] == "figures"
    assert event.data["format"] == "xlsx"
    assert (event.data["from"], event.data["to"]) == ("2025-04-01", "2025-06-30")


def test_reports_export_has_no_medical_data_and_stays_in_scope(
    data, employee, warehouse_employee, hr_user, logged_in_client
):
    gone = sick(warehouse_employee, hr_user, date(2025, 4, 2), date(2025, 4, 5))
    withdraw_report(report=gone, actor=hr_user, reason="Wrong person")
    response = logged_in_client(hr_user).get(REPORTS, {**Q2, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "employer",
        "personnel number",
        "name",
        "department",
        "first sick day",
        "recovery date",
        "classification",
        "incapacity (%)",
    ]
    assert rows[1:] == [
        [
            "Bakkerij De Korenschoof B.V.",
            "1001",
            "Sara de Vries",
            "Verkoop",
            "2025-05-01",
            "2025-05-11",
            "Sick",
            "0",
        ],
    ]
    event = AuditEvent.objects.get(event=Event.ABSENCE_EXPORTED)
    assert event.data["kind"] == "sick_reports" and event.data["rows"] == 1
    assert "Vries" not in json.dumps(event.data)


def test_manager_exports_only_their_team(
    data, warehouse_employee, hr_user, manager_user, logged_in_client
):
    sick(warehouse_employee, hr_user, date(2025, 4, 2), date(2025, 4, 5))
    response = logged_in_client(manager_user).get(REPORTS, {**Q2, "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "Sara" in text
    assert "Tom" not in text and "Olga" not in text


def test_exports_are_protected_against_formula_injection(
    scoped, employer, sales, hr_user, logged_in_client
):
    evil = EmployeeFactory(
        employer=employer,
        department=sales,
        first_name='=HYPERLINK("http://x")',
        last_name="Kwaad",
        personnel_number="@SUM",
    )
    sick(evil, hr_user, date(2025, 5, 1))
    client = logged_in_client(hr_user)
    text = client.get(REPORTS, {**Q2, "format": "csv"}).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1] == "'@SUM"
    assert row[2].startswith("'=HYPERLINK")
    response = client.get(REPORTS, {**Q2, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "'@SUM"
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert sheet.cell(row=2, column=3).value.startswith("'=HYPERLINK")


@pytest.mark.parametrize("who", ["support_user", "foreign_user"])
@pytest.mark.parametrize("url", [EXPORT, REPORTS])
def test_exports_are_not_found_without_scope(data, who, url, login_as):
    response = login_as(who).get(url, {**Q2, "format": "csv"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(event=Event.ABSENCE_EXPORTED).exists()


def test_export_with_an_unknown_format_or_bad_filter_goes_back(data, hr_user, logged_in_client):
    client = logged_in_client(hr_user)
    response = client.get(EXPORT, {**Q2, "format": "pdf"})
    assert response.status_code == 302
    assert response["Location"].startswith(URL)
    response = client.get(
        REPORTS, {"date_from": "2025-06-30", "date_to": "2025-01-01", "format": "csv"}, follow=True
    )
    assert "Correct the filter before exporting." in response.content.decode()
    assert not AuditEvent.objects.filter(event=Event.ABSENCE_EXPORTED).exists()
