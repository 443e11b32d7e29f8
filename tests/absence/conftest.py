"""Named sick-leave fixtures: employer A (of ``tenant``) with departments Sales and
Warehouse; everyone in ``hr_user``'s etc. scope; a second employer nobody here may see."""

from __future__ import annotations

import pytest
import time_machine

from tests.absence.case_world import NOW, build_world
from tests.factories import DepartmentFactory, EmployeeFactory, EmployerFactory, grant_scope


@pytest.fixture
def employer(tenant):
    return EmployerFactory(tenant=tenant, name="Bakkerij De Korenschoof B.V.")


@pytest.fixture
def sales(employer):
    return DepartmentFactory(employer=employer, name="Verkoop")


@pytest.fixture
def warehouse(employer):
    return DepartmentFactory(employer=employer, name="Magazijn")


@pytest.fixture
def employee(employer, sales, manager_user):
    return EmployeeFactory(
        employer=employer, department=sales, manager=manager_user,
        first_name="Sara", last_name="de Vries", personnel_number="1001",
    )


@pytest.fixture
def warehouse_employee(employer, warehouse):
    return EmployeeFactory(
        employer=employer, department=warehouse, first_name="Tom", last_name="Bakker",
        personnel_number="2001",
    )


@pytest.fixture
def other_employer(tenant):
    return EmployerFactory(tenant=tenant, name="Andere Werkgever B.V.")


@pytest.fixture
def scoped(employer, hr_user, case_manager_user, physician_user):
    """HR, case manager and physician see the whole of ``employer``."""
    for user in (hr_user, case_manager_user, physician_user):
        grant_scope(user, employer)
    return employer


@pytest.fixture
def frozen_case_world(settings, tmp_path):
    """The clock of ``case_world`` (``NOW``), uploads in a temporary folder and a cheap
    hasher: many users log in per test (hashing itself is tested in accounts)."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(
    tenant,
    other_tenant,
    employer,
    sales,
    warehouse,
    employee,
    other_employer,
    hr_user,
    manager_user,
    case_manager_user,
    physician_user,
    support_user,
    foreign_user,
):
    return build_world(**locals())
