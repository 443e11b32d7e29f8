"""The scoped query layer: who may see which employers, employees and cases.

* Scope roles (HR, case manager, broker, physician) see the employers and department
  subtrees given to them as ``UserScope`` rows.
* A manager sees their own team: employees whose current employment names them.
* Everything stays inside the user's tenant. Support and tenant administrators get no
  sick-leave data through this layer (the support desk has its own, audited, export).

Views fetch only through ``visible_to(user)`` querysets and the getters below, which 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from verzuim.accounts.models import Role, User

#: Roles that see data through UserScope rows.
SCOPE_ROLES = (Role.EMPLOYER_HR, Role.CASE_MANAGER, Role.BROKER, Role.PHYSICIAN)
#: Roles on the employer's side: never medical data.
EMPLOYER_SIDE_ROLES = (Role.EMPLOYER_HR, Role.MANAGER, Role.CASE_MANAGER, Role.BROKER)
NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=Model)


def _user(user: Any) -> User | None:
    if getattr(user, "is_authenticated", False) and isinstance(user, User) and user.is_active:
        return user
    return None


def has_any_role(user: Any, roles: tuple[str, ...]) -> bool:
    u = _user(user)
    return bool(u and any(u.has_role(r) for r in roles))


def is_physician(user: Any) -> bool:
    return has_any_role(user, (Role.PHYSICIAN,))


def is_case_team(user: Any) -> bool:
    """Case manager or physician: may read case-team documents and notes."""
    return has_any_role(user, (Role.CASE_MANAGER, Role.PHYSICIAN))


def uses_absence(user: Any) -> bool:
    """Has a role that works with sick-leave data at all."""
    return has_any_role(user, (*SCOPE_ROLES, Role.MANAGER))


def can_report(user: Any) -> bool:
    """May report sick, report recovery and correct reports (employer side)."""
    return has_any_role(user, EMPLOYER_SIDE_ROLES)


def _scope_parts(user: User) -> tuple[set[int], set[int]]:
    from verzuim.absence.models import Department, UserScope

    employers: set[int] = set()
    departments: set[int] = set()
    rows = UserScope.objects.filter(user=user, employer__tenant_id=user.tenant_id)
    for employer_id, department_id in rows.values_list("employer_id", "department_id"):
        if department_id is None:
            employers.add(employer_id)
        else:
            departments.add(department_id)
    return employers, Department.with_descendants(departments)


def employee_filter(user: Any, prefix: str = "") -> Q:
    """A ``Q`` on Employee (or on a model reaching it through ``prefix``) for ``user``."""
    u = _user(user)
    if u is None:
        return NOTHING
    parts: list[Q] = []
    if any(u.has_role(r) for r in SCOPE_ROLES):
        employers, departments = _scope_parts(u)
        if employers:
            parts.append(Q(**{f"{prefix}employer_id__in": employers}))
        if departments:
            parts.append(Q(**{f"{prefix}department_id__in": departments}))
    if u.has_role(Role.MANAGER):
        parts.append(Q(**{f"{prefix}manager_id": u.pk}))
    if not parts:
        return NOTHING
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined & Q(**{f"{prefix}employer__tenant_id": u.tenant_id})


def employer_filter(user: Any) -> Q:
    """Employers of which ``user`` sees at least one employee (or the whole employer).

    Every access row names its employer (a department belongs to one employer), so only a
    manager's team needs a look at the employees: a few rows, never one per employee.
    """
    u = _user(user)
    if u is None:
        return NOTHING
    from verzuim.absence.models import Employee

    ids: set[int] = set()
    if any(u.has_role(r) for r in SCOPE_ROLES):
        ids |= set(
            u.absence_scopes.filter(employer__tenant_id=u.tenant_id).values_list(
                "employer_id", flat=True
            )
        )
    if u.has_role(Role.MANAGER):
        ids |= set(
            Employee.objects.filter(manager_id=u.pk, employer__tenant_id=u.tenant_id)
            .values_list("employer_id", flat=True)
            .distinct()
            .order_by()
        )
    return Q(pk__in=ids, tenant_id=u.tenant_id)


def get_visible_or_404(queryset: QuerySet[M], user: Any, **lookup: Any) -> M:
    """Fetch one object through ``queryset.visible_to(user)``; 404 when out of scope."""
    try:
        return queryset.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
