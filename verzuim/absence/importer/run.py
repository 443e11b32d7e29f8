"""The import action: plan every change against the stored data, then write it all or
nothing (``import_employees``). A handful of queries, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from verzuim.absence import figure_cache
from verzuim.absence.errors import AbsenceError
from verzuim.absence.importer.parse import Rejected, Row, find_overlaps, parse_file
from verzuim.absence.importer.refresh import refresh_employees
from verzuim.absence.models import Department, Employee, Employer, Employment
from verzuim.accounts.models import Role, User
from verzuim.audit.actions import record
from verzuim.audit.models import Event, Outcome
from verzuim.core.request import SYSTEM, Origin

BATCH = 500


class ImportConflict(AbsenceError):
    """The stored data changed while the import ran (e.g. two imports at once)."""


@dataclass
class ImportReport:
    employer_id: int
    dry_run: bool
    rows: int = 0
    employees_created: int = 0
    employees_updated: int = 0
    employees_unchanged: int = 0
    employments_created: int = 0
    employments_updated: int = 0
    employments_unchanged: int = 0
    departments_created: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected

    def counts(self) -> dict[str, Any]:
        """Plain numbers for the audit log (no names)."""
        return {
            "employer": self.employer_id,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "rejected": len(self.rejected),
            "employees_created": self.employees_created,
            "employees_updated": self.employees_updated,
            "employees_unchanged": self.employees_unchanged,
            "employments_created": self.employments_created,
            "employments_updated": self.employments_updated,
            "employments_unchanged": self.employments_unchanged,
            "departments_created": len(self.departments_created),
        }


@dataclass
class _Dept:
    """A department in the plan: stored already (``stored``) or to be created."""

    name: str
    parent: str | None  # casefolded name of the parent; None = top level
    parent_known: bool  # False: created from a one-part path, parent not stated
    stored: Department | None = None


@dataclass
class _Plan:
    report: ImportReport
    departments: dict[str, _Dept]
    new_employees: list[Employee] = field(default_factory=list)
    changed_employees: list[Employee] = field(default_factory=list)
    # (employee object or personnel number of a new one, values)
    new_employments: list[tuple[Employee, Row, str | None, int | None]] = field(
        default_factory=list
    )
    changed_employments: list[Employment] = field(default_factory=list)
    rejected_lines: dict[int, Rejected] = field(default_factory=dict)


def _reject(plan: _Plan, row: Row, reason: str) -> None:
    rejected = plan.rejected_lines.get(row.line)
    if rejected is None:
        rejected = plan.rejected_lines[row.line] = Rejected(row.line, row.personnel_number, [])
        plan.report.rejected.append(rejected)
    rejected.reasons.append(reason)


def _is_below(plan: _Plan, key: str, ancestor: str | None) -> bool:
    """Whether ``ancestor`` is ``key`` itself or lies below it in the planned tree."""
    seen: set[str] = set()
    while ancestor is not None and ancestor not in seen:
        if ancestor == key:
            return True
        seen.add(ancestor)
        ancestor = plan.departments[ancestor].parent
    return False


def _plan_department(plan: _Plan, row: Row) -> str | None:
    """Casefolded name of the row's department (planned if new); None if none/rejected."""
    parent: str | None = None
    for depth, name in enumerate(row.department_path):
        key = name.casefold()
        node = plan.departments.get(key)
        stated = depth > 0
        if node is None:
            plan.departments[key] = _Dept(name, parent, stated)
        elif stated and node.parent != parent:
            if node.stored is None and not node.parent_known and not _is_below(plan, key, parent):
                node.parent, node.parent_known = parent, True
            else:
                where = plan.departments[node.parent].name if node.parent else _("(top level)")
                _reject(
                    plan,
                    row,
                    _(
                        "Department “%(name)s” already exists under “%(where)s”; "
                        "the import does not move departments."
                    )
                    % {"name": node.name, "where": where},
                )
                return None
        parent = key
    return parent


def _manager_ids(employer: Employer, rows: list[Row]) -> dict[str, User]:
    names = {r.manager.lower() for r in rows if r.manager}
    if not names:
        return {}
    users = (
        User.objects.filter(tenant_id=employer.tenant_id)
        .annotate(lname=Lower("username"))
        .filter(lname__in=names)
    )
    return {u.lname: u for u in users}


def _plan(employer: Employer, rows: list[Row], columns: frozenset[str], plan: _Plan) -> None:
    stored_departments = list(Department.objects.filter(employer=employer))
    by_id = {d.pk: d for d in stored_departments}
    for d in stored_departments:
        parent = by_id[d.parent_id].name.casefold() if d.parent_id else None
        plan.departments[d.name.casefold()] = _Dept(d.name, parent, True, d)
    employees = {e.personnel_number: e for e in Employee.objects.filter(employer=employer)}
    employments: dict[int, dict[date, Employment]] = defaultdict(dict)
    for employment in Employment.objects.filter(employee__employer=employer):
        employments[employment.employee_id][employment.start_date] = employment
    managers = _manager_ids(employer, rows)

    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.personnel_number].append(row)

    report = plan.report
    for number, group in groups.items():
        group.sort(key=lambda r: r.start_date)
        resolved: list[tuple[Row, str | None, int | None]] = []
        for row in group:
            rejected_before = len(report.rejected)
            department = _plan_department(plan, row) if row.department_path else None
            manager_id = None
            if row.manager:
                user = managers.get(row.manager.lower())
                if user is None:
                    _reject(
                        plan,
                        row,
                        _("There is no user with login name “%(name)s”.") % {"name": row.manager},
                    )
                elif not (user.is_active and user.has_role(Role.MANAGER)):
                    _reject(
                        plan,
                        row,
                        _("User “%(name)s” is not an active manager.") % {"name": row.manager},
                    )
                else:
                    manager_id = user.pk
            if len(report.rejected) == rejected_before:
                resolved.append((row, department, manager_id))

        employee = employees.get(number)
        stored = employments.get(employee.pk, {}) if employee else {}
        starts = {r.start_date for r, _d, _m in resolved}
        periods: list[tuple[date, date | None, object]] = [
            (e.start_date, e.end_date, e) for s, e in stored.items() if s not in starts
        ]
        periods += [(r.start_date, r.end_date, r) for r, _d, _m in resolved]
        overlapping: set[int] = set()
        for earlier, later in find_overlaps(periods):
            first, second = (later, earlier) if isinstance(later, Row) else (earlier, later)
            if not isinstance(first, Row):
                continue  # two stored records: not this file's doing
            row, other = first, second
            if isinstance(other, Row):
                reason = _("This employment overlaps the one on row %(line)d.") % {
                    "line": other.line
                }
            else:
                assert isinstance(other, Employment)
                reason = _(
                    "This employment overlaps the stored employment starting on %(start)s."
                ) % {"start": other.start_date.strftime("%d-%m-%Y")}
            _reject(plan, row, reason)
            overlapping.add(row.line)
        resolved = [t for t in resolved if t[0].line not in overlapping]
        if not resolved or len(resolved) != len(group):
            continue

        latest = group[-1]
        person = employee or Employee(employer=employer, personnel_number=number)
        values: dict[str, Any] = {"first_name": latest.first_name, "last_name": latest.last_name}
        if "date_of_birth" in columns:
            values["date_of_birth"] = latest.date_of_birth
        if "email" in columns:
            values["email"] = latest.email
        if employee is None:
            for name, value in values.items():
                setattr(person, name, value)
            plan.new_employees.append(person)
            report.employees_created += 1
        elif any(getattr(person, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            plan.changed_employees.append(person)
            report.employees_updated += 1
        else:
            report.employees_unchanged += 1

        for row, department, manager_id in resolved:
            current = stored.get(row.start_date)
            if current is None:
                plan.new_employments.append((person, row, department, manager_id))
                report.employments_created += 1
                continue
            wanted: dict[str, Any] = {
                "end_date": row.end_date,
                "contract_hours": row.contract_hours,
                "fulltime_hours": row.fulltime_hours,
            }
            department_changed = False
            if "department" in columns:
                node = plan.departments.get(department) if department else None
                target_id = node.stored.pk if node and node.stored else None
                is_new = node is not None and node.stored is None
                department_changed = is_new or target_id != current.department_id
            if "manager" in columns:
                wanted["manager_id"] = manager_id
            if department_changed or any(getattr(current, k) != v for k, v in wanted.items()):
                for name, value in wanted.items():
                    setattr(current, name, value)
                current._import_department = department  # type: ignore[attr-defined]
                current._import_set_department = "department" in columns  # type: ignore[attr-defined]
                plan.changed_employments.append(current)
                report.employments_updated += 1
            else:
                report.employments_unchanged += 1

    report.departments_created = sorted(
        d.name for d in plan.departments.values() if d.stored is None
    )
    report.rejected.sort(key=lambda r: r.line)


def _write(employer: Employer, plan: _Plan) -> None:
    # Departments, parents first (a parent is always planned before its children).
    pending = [d for d in plan.departments.values() if d.stored is None]
    while pending:
        ready = [d for d in pending if d.parent is None or plan.departments[d.parent].stored]
        assert ready, "department plan has a cycle"
        for d in ready:
            parent = plan.departments[d.parent].stored if d.parent else None
            d.stored = Department(employer=employer, name=d.name, parent=parent)
        Department.objects.bulk_create([d.stored for d in ready])  # type: ignore[misc]
        pending = [d for d in pending if d not in ready]

    Employee.objects.bulk_create(plan.new_employees, batch_size=BATCH)
    now = timezone.now()
    for person in plan.changed_employees:
        person.updated_at = now
    Employee.objects.bulk_update(
        plan.changed_employees,
        ["first_name", "last_name", "date_of_birth", "email", "updated_at"],
        batch_size=BATCH,
    )

    def department_of(key: str | None) -> Department | None:
        return plan.departments[key].stored if key else None

    new = []
    for person, row, department, manager_id in plan.new_employments:
        employment = Employment(
            employee=person,
            start_date=row.start_date,
            end_date=row.end_date,
            contract_hours=row.contract_hours,
            fulltime_hours=row.fulltime_hours,
            department=department_of(department),
            manager_id=manager_id,
        )
        employment.fill_derived()
        new.append(employment)
    Employment.objects.bulk_create(new, batch_size=BATCH)
    for employment in plan.changed_employments:
        if employment._import_set_department:  # type: ignore[attr-defined]
            employment.department = department_of(employment._import_department)  # type: ignore[attr-defined]
        employment.fill_derived()
    Employment.objects.bulk_update(
        plan.changed_employments,
        [
            "end_date",
            "contract_hours",
            "fulltime_hours",
            "department",
            "manager",
            "start_ord",
            "end_ord",
            "parttime_factor",
        ],
        batch_size=BATCH,
    )
    touched = (
        {p.pk for p in plan.new_employees}
        | {p.pk for p, _r, _d, _m in plan.new_employments}
        | {e.employee_id for e in plan.changed_employments}
    )
    refresh_employees(Employee.objects.filter(employer=employer), only=touched)
    figure_cache.changed(employer.tenant_id)


def import_employees(
    employer: Employer,
    data: bytes,
    *,
    actor: Any = None,
    origin: Origin = SYSTEM,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import a payroll CSV (``data``) into ``employer``.

    Raises ``ImportFileError`` when the file as a whole is unusable. Otherwise returns a
    report; rows are written only when no row is rejected and ``dry_run`` is off. Every run
    that reaches the rows is audited (also dry runs and rejected files)."""
    parsed = parse_file(data, today or timezone.localdate())
    report = ImportReport(
        employer_id=employer.pk,
        dry_run=dry_run,
        rows=parsed.row_count,
        rejected=list(parsed.rejected),
        ignored_columns=parsed.ignored_columns,
    )
    plan = _Plan(report=report, departments={})
    try:
        with transaction.atomic():
            if not dry_run:
                # One import per employer at a time (a row lock on PostgreSQL).
                Employer.objects.select_for_update().filter(pk=employer.pk).first()
            _plan(employer, parsed.rows, parsed.columns, plan)
            if report.ok and not dry_run:
                _write(employer, plan)
                report.written = True
            record(
                Event.EMPLOYEES_IMPORTED,
                origin=origin,
                actor=actor,
                tenant=employer.tenant,
                outcome=Outcome.SUCCESS if report.ok else Outcome.FAILURE,
                data=report.counts(),
            )
    except IntegrityError:
        raise ImportConflict(
            _("The employee data changed while importing. Nothing was written; try again.")
        ) from None
    return report
