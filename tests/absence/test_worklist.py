"""The action list (Actiemonitor) and the sick-leave overview on the home page: what each
user sees, in which order, and what stays hidden out of scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.absence.case_world import NOW, TODAY, login
from tests.factories import EmployeeFactory, EmployerFactory, UserFactory, grant_scope
from verzuim.absence.actions import report_change, report_sick
from verzuim.absence.models import CaseTask, TaskState

pytestmark = pytest.mark.django_db
URL = "/verzuim/actiemonitor/"
FIRST_SICK_DAY = date(2026, 3, 2)  # sick day 92 on TODAY (2026-06-01)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sick_case(employee, hr_user, scoped):
    report = report_sick(employee=employee, actor=hr_user, first_sick_day=FIRST_SICK_DAY)
    return report.case


@pytest.fixture
def other_sick(other_employer, hr_user):
    person = EmployeeFactory(
        employer=other_employer, first_name="Olga", last_name="Elders", personnel_number="9001"
    )
    report_sick(employee=person, actor=hr_user, first_sick_day=date(2026, 5, 1))
    return person


def rows_of(response):
    return [row for row in response.context["rows"]]


def test_overdue_tasks_come_first_marked_in_words(client, hr_user, sick_case):
    response = login(client, hr_user).get(URL)
    assert response.status_code == 200
    rows = rows_of(response)
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups, key=["overdue", "soon", "later"].index)
    first = rows[0]
    assert first["task"].key == "report_health_service"
    overdue_days = (TODAY - (FIRST_SICK_DAY + timedelta(days=6))).days
    assert first["days_overdue"] == overdue_days
    html = response.content.decode()
    assert f"Overdue by {overdue_days} days" in html
    assert "Sara de Vries" in html and "(1001)" in html
    assert reverse("absence:case", args=[sick_case.pk]) in html
    # Heading counts: week 1, probleemanalyse and plan van aanpak are overdue; the first
    # evaluation (day 98, 6 June) is due within 14 days.
    counts = response.context["counts"]
    assert counts["overdue"] == 3 and counts["soon"] == 1
    assert counts["later"] == counts["total"] - 4
    assert "3 overdue" in html and "1 due within 14 days" in html


def test_done_and_lapsed_tasks_are_not_listed(client, hr_user, sick_case):
    CaseTask.objects.filter(case=sick_case, key="report_health_service").update(
        state=TaskState.DONE
    )
    response = login(client, hr_user).get(URL)
    keys = {r["task"].key for r in rows_of(response)}
    assert "report_health_service" not in keys
    report_change(report=sick_case.reports.get(), actor=hr_user, on=TODAY, incapacity=0)
    response = client.get(URL)
    # Recovered: only the tasks whose deadline passed while sick stay open.
    assert {r["group"] for r in rows_of(response)} == {"overdue"}


def test_filters_by_group_role_and_employer(
    client, case_manager_user, sick_case, other_sick, other_employer
):
    grant_scope(case_manager_user, other_employer)
    c = login(client, case_manager_user)
    all_rows = rows_of(c.get(URL + "?page=1"))
    assert {r["employee"].personnel_number for r in all_rows} >= {"1001", "9001"}
    overdue = rows_of(c.get(URL, {"group": "overdue"}))
    assert overdue and all(r["group"] == "overdue" for r in overdue)
    doctor = rows_of(c.get(URL, {"role": "company_doctor"}))
    assert doctor and {r["task"].role for r in doctor} == {"company_doctor"}
    only_other = rows_of(c.get(URL, {"employer": other_employer.pk}))
    assert only_other and {r["employee"].personnel_number for r in only_other} == {"9001"}


def test_out_of_scope_employer_cannot_be_filtered_in(
    client, hr_user, sick_case, other_sick, other_employer
):
    response = login(client, hr_user).get(URL, {"employer": other_employer.pk})
    # Not a choice for this user: the form is invalid and only the own scope shows.
    assert "employer" in response.context["form"].errors
    assert "Olga" not in response.content.decode()
    assert {r["employee"].personnel_number for r in rows_of(response)} == {"1001"}


def test_scope_decides_what_is_listed(
    client, tenant, employer, warehouse, sick_case, other_sick, manager_user, foreign_user
):
    warehouse_person = EmployeeFactory(
        employer=employer, department=warehouse, first_name="Tom", personnel_number="2001"
    )
    hr_warehouse = UserFactory(tenant=tenant, username="hr.warehouse")
    grant_scope(hr_warehouse, employer, warehouse)
    report_sick(employee=warehouse_person, actor=hr_warehouse, first_sick_day=date(2026, 5, 4))
    seen = {r["employee"].personnel_number for r in rows_of(login(client, hr_warehouse).get(URL))}
    assert seen == {"2001"}
    # The manager sees their own team member only.
    seen = {r["employee"].personnel_number for r in rows_of(login(client, manager_user).get(URL))}
    assert seen == {"1001"}
    # Another tenant's user: nothing.
    response = login(client, foreign_user, "andere.verzuim.test").get(URL)
    assert response.status_code == 200 and rows_of(response) == []
    assert "Sara" not in response.content.decode()


def test_roles_without_sick_leave_data_are_refused(client, support_user):
    assert login(client, support_user).get(URL).status_code == 403


def test_login_required(client, tenant):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pages_of_fifty(client, tenant, employer, hr_user, scoped):
    for n in range(3):
        person = EmployeeFactory(employer=employer, personnel_number=f"30{n}")
        report_sick(employee=person, actor=hr_user, first_sick_day=date(2026, 5, 1))
    c = login(client, hr_user)
    first = c.get(URL)
    total = first.context["counts"]["total"]
    assert total > 50
    assert len(first.context["rows"]) == 50
    second = c.get(URL, {"page": 2})
    assert len(second.context["rows"]) == total - 50
    assert "Page 2 of" in second.content.decode()


# --- home page ---------------------------------------------------------------------------


def test_home_shows_overview_for_users_with_scope(client, hr_user, sick_case):
    html = login(client, hr_user).get("/").content.decode()
    assert "Sick leave at a glance" in html
    assert response_counts(client) == {"open_cases": 1, "overdue_tasks": 3, "employees": 1}
    assert URL in html
    assert "No sick-leave data to show yet" not in html


def response_counts(client):
    overview = client.get("/").context["overview"]
    return {k: overview[k] for k in ("open_cases", "overdue_tasks", "employees")}


def test_home_keeps_the_empty_state_without_scope(client, hr_user, tenant):
    html = login(client, hr_user).get("/").content.decode()
    assert "No sick-leave data to show yet" in html
    assert tenant.support_email in html
    assert "Sick leave at a glance" not in html


def test_home_overview_counts_only_the_own_scope(client, tenant, sick_case, other_sick):
    other_hr = UserFactory(tenant=tenant, username="hr.other")
    grant_scope(other_hr, EmployerFactory(tenant=tenant, name="Leeg B.V."))
    login(client, other_hr)
    assert response_counts(client) == {"open_cases": 0, "overdue_tasks": 0, "employees": 0}
