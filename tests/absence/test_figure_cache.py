"""Computed dashboards are kept until the data behind them changes: the second view costs
no aggregate query, and a report, a recovery or an employment change shows at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.absence.test_dashboard_views import Q2, URL, figure, sick
from tests.factories import UserFactory, grant_scope
from verzuim.absence.actions import report_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.FIGURES_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def aggregates(client) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, Q2)
    assert response.status_code == 200
    return response, sum("absence_absencesegment" in q["sql"] for q in queries.captured_queries)


def test_the_second_view_computes_nothing(client, logged_in_client, hr_user, scoped, employee):
    sick(employee, hr_user, date(2025, 5, 1), date(2025, 5, 11))
    logged_in_client(hr_user)
    first, computed = aggregates(client)
    assert computed > 0
    second, again = aggregates(client)
    assert again == 0
    assert figure(second, "figure-percentage") == figure(first, "figure-percentage")


def test_a_change_shows_at_once(
    client, logged_in_client, hr_user, scoped, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = sick(employee, hr_user, date(2025, 5, 1))
    logged_in_client(hr_user)
    before, _ = aggregates(client)
    with django_capture_on_commit_callbacks(execute=True):
        report_change(report=report, actor=hr_user, on=date(2025, 5, 11), incapacity=0)
    after, computed = aggregates(client)
    assert computed > 0
    assert figure(after, "figure-percentage") != figure(before, "figure-percentage")


def test_an_employment_saved_in_the_admin_shows_at_once(
    client, logged_in_client, hr_user, scoped, employee, django_capture_on_commit_callbacks
):
    logged_in_client(hr_user)
    aggregates(client)
    employment = employee.employments.get()
    with django_capture_on_commit_callbacks(execute=True):
        employment.end_date = date(2025, 4, 30)
        employment.save()
    _, computed = aggregates(client)
    assert computed > 0


def test_users_who_see_the_same_share_and_others_do_not(
    client, logged_in_client, tenant, hr_user, scoped, employer, sales, employee
):
    colleague = UserFactory(tenant=tenant, username="collega.hr", roles=["employer_hr"])
    grant_scope(colleague, employer)
    narrower = UserFactory(tenant=tenant, username="afdeling.hr", roles=["employer_hr"])
    grant_scope(narrower, employer, sales)
    logged_in_client(hr_user)
    aggregates(client)
    client.logout()
    logged_in_client(colleague)
    assert aggregates(client)[1] == 0  # the same access: the same figures
    client.logout()
    logged_in_client(narrower)
    assert aggregates(client)[1] > 0  # one department only: its own figures


def test_many_asking_at_once_compute_once(monkeypatch):
    """The first of many simultaneous requests computes; the others wait for its result."""
    import threading
    import time
    from types import SimpleNamespace

    from verzuim.absence import figure_cache

    monkeypatch.setattr(figure_cache, "scope_signature", lambda user: "same scope")
    user = SimpleNamespace(tenant_id=999)
    calls: list[int] = []
    results: list[object] = []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return {"percentage": 4.4}

    def ask():
        results.append(figure_cache.remembered(user, ("dashboard",), compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert len(calls) == 1
    assert results == [{"percentage": 4.4}] * 8


def test_home_counts_are_kept_until_a_task_is_done(
    client, logged_in_client, hr_user, scoped, employee, django_capture_on_commit_callbacks
):
    from verzuim.absence.actions.dossier import mark_task_done

    with django_capture_on_commit_callbacks(execute=True):
        report = sick(employee, hr_user, date(2025, 5, 1))
    logged_in_client(hr_user)

    def task_counts() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum("absence_casetask" in q["sql"] for q in queries.captured_queries)

    assert task_counts() > 0
    assert task_counts() == 0  # kept
    task = report.case.tasks.filter(state="open").first()
    with django_capture_on_commit_callbacks(execute=True):
        mark_task_done(task=task, actor=hr_user)
    assert task_counts() > 0  # counted again after the change
