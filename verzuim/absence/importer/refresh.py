"""Keeping Employee's cached ``department``/``manager`` equal to its latest employment."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from verzuim.absence.models import Employee, Employment


def _latest(employments: Iterable[Employment]) -> dict[int, Employment]:
    latest: dict[int, Employment] = {}
    for employment in employments:
        current = latest.get(employment.employee_id)
        if current is None or employment.start_date > current.start_date:
            latest[employment.employee_id] = employment
    return latest


def refresh_employees(employees: QuerySet[Employee], only: set[int] | None = None) -> int:
    """Refresh the cache of ``employees`` (optionally limited to the ids in ``only``) from
    the employment with the latest start date; returns how many employees changed.

    Two queries and one bulk update, whatever the number of employees."""
    people = [
        e
        for e in employees.only("id", "department_id", "manager_id")
        if only is None or e.pk in only
    ]
    if not people:
        return 0
    ids = {e.pk for e in people}
    rows = Employment.objects.filter(employee__in=employees).only(
        "employee_id", "start_date", "department_id", "manager_id"
    )
    latest = _latest(r for r in rows if r.employee_id in ids)
    changed = []
    for person in people:
        employment = latest.get(person.pk)
        department_id = employment.department_id if employment else None
        manager_id = employment.manager_id if employment else None
        if (person.department_id, person.manager_id) != (department_id, manager_id):
            person.department_id = department_id
            person.manager_id = manager_id
            changed.append(person)
    Employee.objects.bulk_update(changed, ["department", "manager"], batch_size=500)
    return len(changed)


def refresh_employee(employee: Employee) -> Employee:
    """Refresh one employee's cached department and manager (and the instance itself)."""
    refresh_employees(Employee.objects.filter(pk=employee.pk))
    employee.refresh_from_db(fields=["department", "manager"])
    return employee
