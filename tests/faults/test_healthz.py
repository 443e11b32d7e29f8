"""/healthz answers for the load balancer whether this process can reach the database.
(tests/faults/test_postgres_restart.py shows the same with a real PostgreSQL stopped.)"""

from __future__ import annotations

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_without_the_database(client, monkeypatch):
    class Unreachable:  # what the view's connection does while PostgreSQL is down
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("verzuim.core.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "down"


def test_the_health_check_needs_no_tenant_lookup(tenant, monkeypatch):
    """With the database down the tenant lookup would fail first (500): the health check
    must still answer for itself, whether or not the tenant is remembered."""
    from django.test import Client

    from verzuim.tenants import middleware

    client = Client(raise_request_exception=False)

    def down(host):
        raise OperationalError("database down")

    monkeypatch.setattr(middleware, "tenant_for_host", down)
    assert client.get("/healthz").status_code == 200  # its own check still works here
    assert client.get("/accounts/login/").status_code == 500
