"""Who may import into which employer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from verzuim.absence.models import Employer, UserScope
from verzuim.absence.scope import _user
from verzuim.accounts.models import Role


def importable_employers(user: Any) -> QuerySet[Employer]:
    """A tenant administrator: every employer of the tenant. HR: the employers it has as a
    whole (a scope row without department). Anyone else: none."""
    u = _user(user)
    if u is None:
        return Employer.objects.none()
    tenant_employers = Employer.objects.for_tenant(u.tenant_id)
    if u.has_role(Role.TENANT_ADMIN):
        return tenant_employers
    if u.has_role(Role.EMPLOYER_HR):
        whole = UserScope.objects.filter(user=u, department__isnull=True).values("employer_id")
        return tenant_employers.filter(pk__in=whole)
    return Employer.objects.none()
