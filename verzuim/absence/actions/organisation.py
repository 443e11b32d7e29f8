"""Audited reads of organisation data (the import itself is ``absence.importer.run``)."""

from __future__ import annotations

from typing import Any

from verzuim.absence.models import Employee
from verzuim.audit.actions import record
from verzuim.audit.models import Event
from verzuim.core.request import SYSTEM, Origin


def view_employee(*, employee: Employee, actor: Any, origin: Origin = SYSTEM) -> None:
    """Every read of an employee page is recorded (ids only)."""
    record(
        Event.EMPLOYEE_VIEWED,
        origin=origin,
        actor=actor,
        tenant=employee.employer.tenant,
        data={"employee": employee.pk, "employer": employee.employer_id},
    )
