"""The database work of one complete login (authenticator app), step by step.

The password hash is the deliberate cost of a login; everything else should be small. These
budgets catch a change that quietly adds queries to every login (docs/performance.md has the
CPU figures). With the per-process memories on (production) the tenant and help queries of
each page disappear as well (tests/core/test_memo.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mfa.totp.conftest import code_for

pytestmark = pytest.mark.django_db

# Statements per step on this test set-up, transaction statements included.
BUDGET = {"login page": 2, "password": 19, "code page": 8, "code": 15, "home": 8}


def test_a_complete_app_login_stays_within_its_query_budget(client, hr_user, add_app, password):
    device = add_app(hr_user)
    hr_user.preferred_method = "totp"
    hr_user.save()
    counts: dict[str, int] = {}

    def step(name, call):
        with CaptureQueriesContext(connection) as queries:
            response = call()
        counts[name] = len(queries.captured_queries)
        return response

    assert step("login page", lambda: client.get("/accounts/login/")).status_code == 200
    response = step(
        "password",
        lambda: client.post(
            "/accounts/login/", {"username": hr_user.username, "password": password}
        ),
    )
    assert response.status_code == 302
    assert step("code page", lambda: client.get(response["Location"])).status_code == 200
    response = step(
        "code", lambda: client.post("/accounts/verify/app/", {"code": code_for(device)})
    )
    assert response.status_code == 302
    assert step("home", lambda: client.get(response["Location"])).status_code == 200
    over = {name: (counts[name], BUDGET[name]) for name in BUDGET if counts[name] > BUDGET[name]}
    assert not over, f"queries (used, budget): {over}; all steps: {counts}"
