"""Right-of-access export for the support desk: find an employee by employer and
personnel number, download everything stored about them; medical text only for a
physician; every export audited; other tenants and other roles get nothing."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import time_machine

from tests.absence.case_world import NOW, login
from tests.factories import EmployerFactory, UserFactory, grant_scope
from verzuim.absence.actions import report_change, report_sick
from verzuim.absence.actions.dossier import (
    add_advice,
    add_appointment,
    add_medical_note,
    add_note,
)
from verzuim.absence.models import CaseDocument
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db
URL = "/support/medewerkers/"
MEDICAL = "ZZMEDMARKER-hernia-5521"
REASON = "Request 2026-17 by letter, ID checked by phone"


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dossier(employee, hr_user, case_manager_user, physician_user, scoped):
    report = report_sick(
        employee=employee,
        actor=hr_user,
        first_sick_day=date(2026, 4, 1),
        nursing_address="Zorghotel 1, Utrecht",
    )
    report_change(report=report, actor=hr_user, on=date(2026, 5, 1), incapacity=50)
    case = report.case
    add_note(case=case, actor=hr_user, text="Belafspraak gemaakt", visibility="employer")
    add_advice(
        case=case,
        actor=physician_user,
        limitations="No lifting over 10 kg",
        expected_duration="6 weeks",
        incapacity=50,
    )
    add_appointment(
        case=case,
        actor=case_manager_user,
        with_role="physician",
        starts_at=datetime(2026, 6, 10, 10, 0, tzinfo=NOW.tzinfo),
        location="Spreekuur",
    )
    add_medical_note(case=case, actor=physician_user, text=MEDICAL)
    CaseDocument.objects.create(
        case=case,
        kind="action_plan",
        original_name="pva.pdf",
        content_type="application/pdf",
        size=1234,
        file="x/pva.pdf",
    )
    return case


def download(client, employee, fmt="json", reason=REASON):
    return client.post(
        URL,
        {
            "employer": employee.employer_id,
            "personnel_number": employee.personnel_number,
            "format": fmt,
            "reason": reason,
        },
    )


def test_support_finds_the_employee(client, support_user, employee, other_employer):
    c = login(client, support_user)
    page = c.get(URL, {"employer": employee.employer_id, "personnel_number": "1001"})
    assert page.status_code == 200
    assert "Sara de Vries" in page.content.decode()
    page = c.get(URL, {"employer": other_employer.pk, "personnel_number": "1001"})
    assert "No employee of this employer has that personnel number." in page.content.decode()


def test_json_export_holds_everything_but_medical_text(client, support_user, employee, dossier):
    response = download(login(client, support_user), employee)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.content)
    assert data["employee"]["personnel_number"] == "1001"
    assert data["employee"]["last_name"] == "de Vries"
    assert data["employments"][0]["start_date"] == "2020-01-01"
    [report] = data["sick_reports"]
    assert report["nursing_address"] == "Zorghotel 1, Utrecht"
    assert [(m["date"], m["incapacity"]) for m in report["history"]] == [
        ("2026-04-01", 100),
        ("2026-05-01", 50),
    ]
    [case] = data["cases"]
    assert {t["task"] for t in case["tasks"]} >= {"Probleemanalyse", "Plan van aanpak"}
    assert case["notes"][0]["text"] == "Belafspraak gemaakt"
    assert case["work_ability_advice"][0]["limitations"] == "No lifting over 10 kg"
    assert case["appointments"][0]["place"] == "Spreekuur"
    assert case["documents"][0]["file_name"] == "pva.pdf"
    assert case["medical_notes"]["count"] == 1 and case["medical_notes"]["notes"] == []
    assert "bedrijfsarts" in case["medical_notes"]["explanation"]
    assert MEDICAL not in response.content.decode()
    events = {e["code"] for e in data["audit_events"]}
    assert {Event.SICK_REPORTED, Event.SICK_REPORT_CHANGED, Event.CASE_NOTE_ADDED} <= events


def test_a_physician_on_the_desk_gets_the_medical_text(client, tenant, employer, employee, dossier):
    desk_doctor = UserFactory(
        tenant=tenant, username="desk.arts", support=True, roles=["support", "physician"]
    )
    grant_scope(desk_doctor, employer)
    data = json.loads(download(login(client, desk_doctor), employee).content)
    assert data["cases"][0]["medical_notes"]["notes"][0]["text"] == MEDICAL


def test_html_export_is_a_readable_attachment(client, support_user, employee, dossier):
    response = download(login(client, support_user), employee, fmt="html")
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].endswith('.html"')
    html = response.content.decode()
    assert "Sara" in html and "Belafspraak gemaakt" in html and MEDICAL not in html
    assert "1 medical note exists." in html


def test_every_export_is_audited(client, support_user, employee, dossier):
    download(login(client, support_user), employee)
    event = AuditEvent.objects.get(event=Event.ACCESS_EXPORT)
    assert event.actor == support_user
    assert event.data["employee"] == employee.pk and event.data["format"] == "json"
    assert event.data["reason"] == REASON


def test_a_reason_is_required(client, support_user, employee, dossier):
    response = download(login(client, support_user), employee, reason="")
    assert response.status_code == 200
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not AuditEvent.objects.filter(event=Event.ACCESS_EXPORT).exists()


@pytest.mark.parametrize("role", ["employer_hr", "case_manager", "physician", "manager"])
def test_only_the_support_desk(client, tenant, employee, dossier, role):
    user = UserFactory(tenant=tenant, username=f"x.{role}", roles=[role])
    c = login(client, user)
    assert c.get(URL).status_code == 403
    assert download(c, employee).status_code == 403


def test_another_tenants_support_finds_nothing(client, other_tenant, employee, dossier):
    foreign = UserFactory(tenant=other_tenant, username="other.support", support=True)
    EmployerFactory(tenant=other_tenant, name="Eigen B.V.")
    c = login(client, foreign, "andere.verzuim.test")
    response = download(c, employee)
    assert response.status_code == 200 and "attachment" not in response.get(
        "Content-Disposition", ""
    )
    assert "Sara" not in response.content.decode()
    # Our employer is not even a choice.
    page = c.get(URL)
    assert employee.employer.name not in page.content.decode()
