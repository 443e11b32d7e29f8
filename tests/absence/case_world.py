"""Shared set-up for the case and sick-report view tests: a sick employee with a full
dossier (a document of every confidentiality class, notes, advice, a medical note) and a
user for every role and scope the permission matrix checks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import EmployeeFactory, EmployerFactory, UserFactory, grant_scope
from verzuim.absence.actions import report_sick
from verzuim.absence.actions.dossier import add_advice, add_document, add_medical_note, add_note
from verzuim.absence.models import Case, CaseDocument, SickReport

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
TODAY = NOW.date()
#: Planted in the medical note and the medical document's name; only a physician may see it.
MEDICAL_MARKER = "ZZMEDMARKER-burnout-7731"
#: Planted in the case-team-only note and document name.
CASE_TEAM_MARKER = "ZZTEAMMARKER-4410"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def login(client: Any, user: Any, host: str = "testserver") -> Any:
    """Log in quickly (the two-step login itself is tested in accounts and mfa)."""
    client.force_login(user)
    session = client.session
    session["auth_at"] = session["seen_at"] = time.time()
    session.save()
    client.defaults["HTTP_HOST"] = host
    return client


@dataclass
class World:
    employee: Any
    report: SickReport
    case: Case
    documents: dict[str, CaseDocument]
    users: dict[str, Any] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)


def build_world(
    *,
    tenant: Any,
    other_tenant: Any,
    employer: Any,
    sales: Any,
    warehouse: Any,
    employee: Any,
    other_employer: Any,
    hr_user: Any,
    manager_user: Any,
    case_manager_user: Any,
    physician_user: Any,
    support_user: Any,
    foreign_user: Any,
) -> World:
    for user in (hr_user, case_manager_user, physician_user):
        grant_scope(user, employer)
    broker = UserFactory(tenant=tenant, username="bram.broker", roles=["broker"])
    grant_scope(broker, employer)
    other_manager = UserFactory(tenant=tenant, username="olga.manager", roles=["manager"])
    EmployeeFactory(employer=employer, department=warehouse, manager=other_manager)
    tenant_admin = UserFactory(tenant=tenant, username="tara.admin", roles=["tenant_admin"])
    hr_other_employer = UserFactory(tenant=tenant, username="henk.hr")
    grant_scope(hr_other_employer, other_employer)
    EmployeeFactory(employer=other_employer)
    hr_other_department = UserFactory(tenant=tenant, username="hilde.hr")
    grant_scope(hr_other_department, employer, warehouse)
    foreign_employer = EmployerFactory(tenant=other_tenant)
    EmployeeFactory(employer=foreign_employer)
    grant_scope(foreign_user, foreign_employer)

    report = report_sick(employee=employee, actor=hr_user, first_sick_day=date(2026, 5, 4))
    case = report.case
    documents = {
        "employer": add_document(
            case=case,
            actor=hr_user,
            upload=pdf("plan-van-aanpak.pdf"),
            kind="action_plan",
            confidentiality="employer",
        ),
        "case_team": add_document(
            case=case,
            actor=case_manager_user,
            upload=pdf(f"{CASE_TEAM_MARKER}.pdf"),
            kind="correspondence",
            confidentiality="case_team",
        ),
        "medical": add_document(
            case=case,
            actor=physician_user,
            upload=pdf(f"{MEDICAL_MARKER}.pdf"),
            kind="other",
            confidentiality="medical",
        ),
    }
    add_note(case=case, actor=hr_user, text="Agreed to call every Monday", visibility="employer")
    add_note(
        case=case,
        actor=case_manager_user,
        text=f"Team only {CASE_TEAM_MARKER}",
        visibility="case_team",
    )
    add_advice(
        case=case,
        actor=physician_user,
        limitations="No lifting over 10 kg; 4 hours a day",
        expected_duration="6 weeks",
        incapacity=50,
    )
    add_medical_note(case=case, actor=physician_user, text=f"Diagnosis {MEDICAL_MARKER}")
    users = {
        "hr": hr_user,
        "manager": manager_user,
        "other_manager": other_manager,
        "case_manager": case_manager_user,
        "physician": physician_user,
        "broker": broker,
        "support": support_user,
        "tenant_admin": tenant_admin,
        "foreign": foreign_user,
        "hr_other_employer": hr_other_employer,
        "hr_other_department": hr_other_department,
    }
    hosts = {"foreign": other_tenant.host}
    return World(employee, report, case, documents, users, hosts)
