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
