"""Editing the Poortwachter protocol in the admin: a change is stored as a new version,
validated, audited; running cases keep the version they started with."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine

from tests.absence.case_world import NOW, login
from tests.factories import UserFactory
from verzuim.absence import poortwachter
from verzuim.absence.actions import report_sick
from verzuim.absence.actions.cases import active_protocol
from verzuim.absence.models import Case, CaseTask, Protocol
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db
LIST = "/beheer/absence/protocol/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def running_case(employee, hr_user, scoped):
    return report_sick(employee=employee, actor=hr_user, first_sick_day=date(2026, 5, 1)).case


def steps_with_action_plan_in_week(week):
    steps = poortwachter.protocol_to_dicts(poortwachter.DEFAULT_PROTOCOL)
    for step in steps:
        if step["code"] == "action_plan":
            step["week"] = week
    return steps


def post_change(client, protocol, steps, version=None):
    return client.post(
        f"{LIST}{protocol.pk}/change/",
        {"version": version or protocol.version, "steps": json.dumps(steps), "_save": "Save"},
    )


def test_a_change_is_a_new_version_and_running_cases_keep_theirs(
    client, support_user, running_case, employer, hr_user
):
    old = running_case.protocol
    old_deadline = CaseTask.objects.get(case=running_case, key="action_plan").deadline
    response = post_change(login(client, support_user), old, steps_with_action_plan_in_week(7))
    assert response.status_code == 302
    old.refresh_from_db()
    new = Protocol.objects.exclude(pk=old.pk).get()
    assert not old.is_active and new.is_active
    assert new.version == f"{old.version}-2"
    assert old.steps == poortwachter.protocol_to_dicts(poortwachter.DEFAULT_PROTOCOL)
    running_case.refresh_from_db()
    assert running_case.protocol_id == old.pk
    assert CaseTask.objects.get(case=running_case, key="action_plan").deadline == old_deadline
    # A new case follows the new version: plan van aanpak in week 7.
    assert active_protocol(employer.tenant) == new
    from tests.factories import EmployeeFactory

    other = EmployeeFactory(employer=employer, personnel_number="2002")
    case = report_sick(employee=other, actor=hr_user, first_sick_day=date(2026, 5, 1)).case
    assert case.protocol_id == new.pk
    assert CaseTask.objects.get(case=case, key="action_plan").deadline == date(2026, 6, 18)
    event = AuditEvent.objects.get(event=Event.PROTOCOL_CHANGED)
    assert event.actor == support_user
    assert event.data["protocol"] == new.pk and event.data["previous"] == old.pk


def test_a_named_version_is_used(client, support_user, running_case):
    post_change(
        login(client, support_user),
        running_case.protocol,
        steps_with_action_plan_in_week(7),
        version="2026-2",
    )
    assert Protocol.objects.get(is_active=True).version == "2026-2"


def test_an_invalid_protocol_is_refused_with_the_reason(client, support_user, running_case):
    steps = steps_with_action_plan_in_week(7)
    steps[0]["week"] = "soon"
    steps.append(
        {"code": "x", "title": "X", "week": 3, "role": "employer", "relative_to": "nowhere"}
    )
    response = post_change(login(client, support_user), running_case.protocol, steps)
    assert response.status_code == 200
    html = response.content.decode()
    assert "week must be a whole number" in html
    assert Protocol.objects.count() == 1 and Protocol.objects.get().is_active
    assert not AuditEvent.objects.filter(event=Event.PROTOCOL_CHANGED).exists()


def test_adding_a_protocol_deactivates_the_current_one(client, support_user, running_case):
    response = login(client, support_user).post(
        f"{LIST}add/",
        {
            "version": "eigen-1",
            "steps": json.dumps(steps_with_action_plan_in_week(8)),
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert Protocol.objects.get(is_active=True).version == "eigen-1"
    assert Protocol.objects.get(is_active=True).tenant == support_user.tenant


def test_other_tenants_protocols_are_invisible(client, support_user, other_tenant, running_case):
    foreign = active_protocol(other_tenant)
    c = login(client, support_user)
    assert str(foreign.pk) not in [str(p.pk) for p in c.get(LIST).context["cl"].result_list]
    assert c.get(f"{LIST}{foreign.pk}/change/").status_code in (302, 404)
    post_change(c, foreign, steps_with_action_plan_in_week(7))
    assert Protocol.objects.filter(tenant=other_tenant).count() == 1


def test_users_without_the_role_cannot_edit(client, tenant, running_case):
    staff_hr = UserFactory(tenant=tenant, username="staff.hr", is_staff=True)
    c = login(client, staff_hr)
    assert c.get(LIST).status_code == 403
    assert (
        post_change(c, running_case.protocol, steps_with_action_plan_in_week(7)).status_code == 403
    )
    assert Protocol.objects.count() == 1 and Case.objects.count() == 1
