"""Employers, employees, employee page and import views: what each user sees or gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    EmployerFactory,
    UserFactory,
    grant_scope,
)
from verzuim.absence.models import Employee, SickReport
from verzuim.audit.models import AuditEvent, Event

SAMPLE_HEADER = (
    "personeelsnummer;voornaam;achternaam;afdeling;startdatum;contracturen;fulltime-uren"
)


def upload(*lines: str, name: str = "payroll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, ("\n".join([SAMPLE_HEADER, *lines]) + "\n").encode(), "text/csv"
    )


def make_sick(employee, first_day=date(2024, 5, 1), recovery=None):
    return SickReport.objects.create(
        employee=employee, report_date=first_day, first_sick_day=first_day, recovery_date=recovery
    )


@pytest.fixture
def hr(logged_in_client, hr_user, scoped):
    return logged_in_client(hr_user)


@pytest.fixture
def foreign_employee(other_tenant):
    employer = EmployerFactory(tenant=other_tenant, name="Buitenland B.V.")
    return EmployeeFactory(employer=employer, personnel_number="1001", last_name="Vreemd")


# --- anonymous ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/verzuim/werkgevers/",
        "/verzuim/medewerkers/",
        "/verzuim/medewerkers/1/",
        "/verzuim/import/",
    ],
)
def test_anonymous_is_sent_to_login(client, tenant, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- employers ---------------------------------------------------------------------------


def test_hr_sees_its_employer_with_counts(hr, employee, warehouse_employee, other_employer):
    EmployeeFactory(employer=other_employer, last_name="Verborgen")
    make_sick(employee)
    response = hr.get("/verzuim/werkgevers/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["employer"].name, r["employees"], r["sick"]) for r in rows] == [
        ("Bakkerij De Korenschoof B.V.", 2, 1)
    ]
    assert b"Andere Werkgever" not in response.content
    assert response.context["may_import"] is True


def test_manager_sees_only_the_employer_of_the_team_with_team_count(
    logged_in_client, manager_user, employee, warehouse_employee, other_employer
):
    response = logged_in_client(manager_user).get("/verzuim/werkgevers/")
    rows = response.context["rows"]
    assert [(r["employer"].pk, r["employees"]) for r in rows] == [(employee.employer_id, 1)]
    assert response.context["may_import"] is False


def test_support_user_has_no_employer_pages(logged_in_client, support_user, scoped):
    client = logged_in_client(support_user)
    assert client.get("/verzuim/werkgevers/").status_code == 403
    assert client.get("/verzuim/medewerkers/").status_code == 403
    assert client.get("/verzuim/import/").status_code == 403


# --- employee list -----------------------------------------------------------------------


def test_hr_lists_employees_with_sick_status(
    hr, employee, warehouse_employee, other_employer, foreign_employee
):
    EmployeeFactory(employer=other_employer, last_name="Verborgen")
    make_sick(employee)
    make_sick(warehouse_employee, date(2024, 1, 1), recovery=date(2024, 1, 10))
    response = hr.get("/verzuim/medewerkers/")
    assert response.status_code == 200
    listed = {e.last_name: e.is_sick for e in response.context["page"]}
    assert listed == {"de Vries": True, "Bakker": False}
    assert b"Verborgen" not in response.content and b"Vreemd" not in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=sara", {"de Vries"}),
        ("q=de+vr", {"de Vries"}),
        ("q=2001", {"Bakker"}),
        ("q=nobody", set()),
        ("department=SALES", {"de Vries"}),
        ("employer=EMPLOYER", {"de Vries", "Bakker"}),
    ],
)
def test_search_and_filters(hr, employee, warehouse_employee, sales, employer, query, expected):
    query = query.replace("SALES", str(sales.pk)).replace("EMPLOYER", str(employer.pk))
    response = hr.get(f"/verzuim/medewerkers/?{query}")
    assert {e.last_name for e in response.context["page"]} == expected


def test_department_filter_includes_sub_departments(hr, employer, sales, manager_user):
    sub = DepartmentFactory(employer=employer, name="Binnendienst", parent=sales)
    EmployeeFactory(employer=employer, department=sub, last_name="Onder")
    response = hr.get(f"/verzuim/medewerkers/?department={sales.pk}")
    assert {e.last_name for e in response.context["page"]} == {"Onder"}


def test_filters_offer_only_what_the_user_may_see(hr, employee, other_employer):
    hidden = DepartmentFactory(employer=other_employer, name="Geheime Afdeling")
    EmployeeFactory(employer=other_employer, department=hidden)
    response = hr.get(f"/verzuim/medewerkers/?employer={other_employer.pk}&department={hidden.pk}")
    assert b"Geheime Afdeling" not in response.content
    assert b"Andere Werkgever" not in response.content
    # An out-of-scope choice is invalid and filters nothing into view.
    assert {e.last_name for e in response.context["page"]} == {"de Vries"}


def test_list_is_paginated_by_fifty(hr, employer):
    for n in range(51):
        EmployeeFactory(employer=employer, last_name=f"Naam{n:02d}")
    first = hr.get("/verzuim/medewerkers/")
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.count == 51
    second = hr.get("/verzuim/medewerkers/?page=2")
    assert [e.last_name for e in second.context["page"]] == ["Naam50"]


def test_manager_lists_only_own_team(logged_in_client, manager_user, employee, warehouse_employee):
    response = logged_in_client(manager_user).get("/verzuim/medewerkers/")
    assert [e.pk for e in response.context["page"]] == [employee.pk]


# --- employee page -----------------------------------------------------------------------


def test_hr_opens_employee_page_and_the_read_is_audited(hr, hr_user, employee):
    make_sick(employee)
    response = hr.get(f"/verzuim/medewerkers/{employee.pk}/")
    assert response.status_code == 200
    assert b"Sara de Vries" in response.content
    assert response.context["is_sick"] is True
    assert len(response.context["employments"]) == 1
    event = AuditEvent.objects.get(event=Event.EMPLOYEE_VIEWED)
    assert event.actor == hr_user and event.data == {
        "employee": employee.pk,
        "employer": employee.employer_id,
    }


def test_manager_opens_own_team_member_but_not_others(
    logged_in_client, manager_user, employee, warehouse_employee
):
    client = logged_in_client(manager_user)
    assert client.get(f"/verzuim/medewerkers/{employee.pk}/").status_code == 200
    assert client.get(f"/verzuim/medewerkers/{warehouse_employee.pk}/").status_code == 404


def test_hr_of_one_department_sees_only_that_department(
    logged_in_client, tenant, employer, sales, employee, warehouse_employee
):
    user = UserFactory(tenant=tenant, username="dora.department")
    grant_scope(user, employer, sales)
    client = logged_in_client(user)
    assert client.get(f"/verzuim/medewerkers/{employee.pk}/").status_code == 200
    assert client.get(f"/verzuim/medewerkers/{warehouse_employee.pk}/").status_code == 404
    listed = client.get("/verzuim/medewerkers/").context["page"]
    assert [e.pk for e in listed] == [employee.pk]
    # A department-scoped HR user may not import: the import is for whole employers.
    assert client.get("/verzuim/import/").status_code == 403


def test_other_employer_and_foreign_tenant_are_404(hr, other_employer, foreign_employee):
    other = EmployeeFactory(employer=other_employer)
    assert hr.get(f"/verzuim/medewerkers/{other.pk}/").status_code == 404
    assert hr.get(f"/verzuim/medewerkers/{foreign_employee.pk}/").status_code == 404
    assert hr.get("/verzuim/medewerkers/999999/").status_code == 404
    assert not AuditEvent.objects.filter(event=Event.EMPLOYEE_VIEWED).exists()


def test_foreign_user_sees_nothing(
    client, logged_in_client, foreign_user, other_tenant, employee, foreign_employee
):
    grant_scope(foreign_user, foreign_employee.employer)  # their own employer
    client.defaults["HTTP_HOST"] = other_tenant.host
    logged_in_client(foreign_user)
    assert client.get(f"/verzuim/medewerkers/{employee.pk}/").status_code == 404
    listed = client.get("/verzuim/medewerkers/").context["page"]
    assert [e.pk for e in listed] == [foreign_employee.pk]
    rows = client.get("/verzuim/werkgevers/").context["rows"]
    assert [r["employer"] for r in rows] == [foreign_employee.employer]


def test_employee_page_links_to_report_sick_and_the_case(
    hr, hr_user, logged_in_client, physician_user, client, employee
):
    from verzuim.absence.actions import report_sick

    report = report_sick(employee=employee, actor=hr_user, first_sick_day=date(2024, 5, 1))
    assert report.case_id is not None
    response = hr.get(f"/verzuim/medewerkers/{employee.pk}/")
    assert f'href="/verzuim/medewerkers/{employee.pk}/ziekmelden/"'.encode() in response.content
    assert f'href="/verzuim/trajecten/{report.case_id}/"'.encode() in response.content
    assert response.context["is_sick"] is True
    # The physician may read the page but does not report sick (employer side only).
    client.logout()
    response = logged_in_client(physician_user).get(f"/verzuim/medewerkers/{employee.pk}/")
    assert response.status_code == 200
    assert b"/ziekmelden/" not in response.content


# --- import ------------------------------------------------------------------------------


def test_import_form_offers_only_importable_employers(hr, employer, other_employer):
    response = hr.get("/verzuim/import/")
    assert response.status_code == 200
    assert list(response.context["form"].fields["employer"].queryset) == [employer]
    assert response.context["form"]["dry_run"].value() is True


def test_dry_run_then_real_import(hr, employer, sales):
    response = hr.post(
        "/verzuim/import/",
        {
            "employer": employer.pk,
            "file": upload("5001;Eva;Smit;Verkoop;01-01-2023;32;40"),
            "dry_run": "on",
        },
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.dry_run and report.employees_created == 1
    assert b"nothing was written" in response.content
    assert not Employee.objects.filter(personnel_number="5001").exists()
    # The form below now proposes the real import.
    assert response.context["form"]["dry_run"].value() is False

    response = hr.post(
        "/verzuim/import/",
        {"employer": employer.pk, "file": upload("5001;Eva;Smit;Verkoop;01-01-2023;32;40")},
    )
    assert response.context["report"].written
    assert Employee.objects.get(personnel_number="5001").department == sales
    events = AuditEvent.objects.filter(event=Event.EMPLOYEES_IMPORTED).order_by("pk")
    assert [e.data["dry_run"] for e in events] == [True, False]


def test_rejected_rows_are_shown_with_row_numbers(hr, employer):
    response = hr.post(
        "/verzuim/import/",
        {
            "employer": employer.pk,
            "file": upload("1;A;B;;01-01-2023;32;40", "2;C;;;01-01-2023;0;40"),
        },
    )
    assert response.status_code == 200
    assert [(r.line, r.personnel_number) for r in response.context["rejected"]] == [(3, "2")]
    assert b"Last name is missing." in response.content
    assert b"Nothing was written" in response.content
    assert not Employee.objects.exists()


def test_unusable_file_is_a_form_error(hr, employer):
    bad = SimpleUploadedFile("x.csv", "naam;wat\né;1\n".encode("latin-1"), "text/csv")
    response = hr.post("/verzuim/import/", {"employer": employer.pk, "file": bad})
    assert response.status_code == 200
    assert "UTF-8" in " ".join(response.context["form"].errors["file"])


def test_hr_cannot_import_into_another_employer(hr, other_employer, foreign_employee):
    for target in (other_employer, foreign_employee.employer):
        response = hr.post(
            "/verzuim/import/", {"employer": target.pk, "file": upload("1;A;B;;01-01-2023;32;40")}
        )
        assert response.status_code == 200
        assert "employer" in response.context["form"].errors
    assert not Employee.objects.filter(personnel_number="1").exists()


def test_tenant_admin_imports_into_any_employer_of_its_tenant(
    logged_in_client, tenant, employer, other_employer, foreign_employee
):
    admin = UserFactory(tenant=tenant, username="tina.admin", roles=["tenant_admin"])
    client = logged_in_client(admin)
    form = client.get("/verzuim/import/").context["form"]
    assert set(form.fields["employer"].queryset) == {employer, other_employer}
    response = client.post(
        "/verzuim/import/",
        {"employer": other_employer.pk, "file": upload("9;A;B;;01-01-2023;32;40")},
    )
    assert response.context["report"].written


@pytest.mark.parametrize("role", ["manager", "case_manager", "physician", "broker"])
def test_other_roles_cannot_import(logged_in_client, tenant, employer, role):
    user = UserFactory(tenant=tenant, username=f"x.{role}", roles=[role])
    grant_scope(user, employer)
    assert logged_in_client(user).get("/verzuim/import/").status_code == 403
