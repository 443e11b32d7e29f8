from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import last_sms_code
from tests.factories import PASSWORD, UserFactory

OTHER_HOST = "andere.verzuim.test"
REASON = "Caller identified by date of birth and employer"


def log_in(client: Client, user) -> Client:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/accounts/verify/sms/", {"code": last_sms_code(user.phone)})
    assert response.status_code == 302
    return client


@pytest.fixture
def support_client(support_user):
    return log_in(Client(), support_user)


@pytest.fixture
def hr_client(hr_user):
    return log_in(Client(), hr_user)


@pytest.fixture
def foreign_support_user(other_tenant):
    return UserFactory(tenant=other_tenant, username="sven.support", support=True)


@pytest.fixture
def foreign_support_client(foreign_support_user):
    return log_in(Client(HTTP_HOST=OTHER_HOST), foreign_support_user)


@pytest.fixture
def target(tenant):
    """The user who calls the support desk."""
    return UserFactory(
        tenant=tenant,
        username="tom.target",
        first_name="Tom",
        last_name="Jansen",
        email="tom@werkgever.example",
        phone="+31612345678",
    )
