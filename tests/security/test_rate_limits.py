"""Anti-automation on exports, searches, uploads and the support form (ASVS V2.4.1)."""

from __future__ import annotations

import pytest
import time_machine

from tests.absence.case_world import login
from tests.factories import EmployerFactory, grant_scope
from verzuim.core import ratelimit as rl
from verzuim.help.models import SupportRequest


def test_searching_too_often_from_one_address_gets_a_clear_429_then_recovers(client, tenant):
    limit = rl.SEARCH[0]
    with time_machine.travel("2026-12-01 10:00:05Z", tick=False) as clock:
        for _ in range(limit.count):
            assert client.get("/help/search/", {"q": "ziek"}).status_code == 200
        refused = client.get("/help/search/", {"q": "ziek"})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) == 55
        body = refused.content.decode()
        assert "Too many requests" in body and "please wait" in body
        assert "Traceback" not in body
        clock.shift(60)
        assert client.get("/help/search/", {"q": "ziek"}).status_code == 200


def test_another_address_is_not_held_back(client, tenant):
    for _ in range(rl.SEARCH[0].count + 1):
        client.get("/help/search/", {"q": "ziek"}, REMOTE_ADDR="192.0.2.1")
    assert client.get("/help/search/", {"q": "ziek"}, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/help/search/", {"q": "ziek"}, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_exports_are_limited_per_user(client, tenant, hr_user):
    employer = EmployerFactory(tenant=tenant)
    grant_scope(hr_user, employer)
    login(client, hr_user)
    url = "/verzuim/dashboard/export/"
    statuses = [client.get(url, {"format": "csv"}).status_code for _ in range(rl.EXPORT[0].count)]
    assert 429 not in statuses
    assert client.get(url, {"format": "csv"}).status_code == 429
    assert client.get("/verzuim/dashboard/export/ziekmeldingen/").status_code == 429  # one budget


def test_the_support_form_refuses_a_flood_and_stores_nothing_more(client, tenant, hr_user):
    login(client, hr_user)
    limit = rl.SUPPORT_FORM[0]
    data = {"subject": "Vraag", "message": "Hoe meld ik iemand ziek?"}
    for _ in range(limit.count):
        client.post("/help/contact/", data)
    stored = SupportRequest.objects.count()
    refused = client.post("/help/contact/", data)
    assert refused.status_code == 429
    assert SupportRequest.objects.count() == stored
    assert client.get("/help/contact/").status_code == 200  # the form itself stays readable


def test_a_cache_outage_does_not_lock_anyone_out(client, tenant, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(rl.cache, "add", broken)
    for _ in range(rl.SEARCH[0].count + 2):
        assert client.get("/help/search/", {"q": "ziek"}).status_code == 200
    assert "not counted: cache unavailable" in caplog.text


@pytest.mark.parametrize(("url", "method"), [
    ("/help/search/", "GET"), ("/help/contact/", "POST"), ("/verzuim/medewerkers/", "GET"),
    ("/verzuim/import/", "POST"), ("/verzuim/trajecten/1/documenten/nieuw/", "POST"),
    ("/verzuim/dashboard/export/", "GET"), ("/verzuim/dashboard/export/ziekmeldingen/", "GET"),
    ("/support/audit/export/", "GET"), ("/support/medewerkers/", "POST"),
])
def test_every_costly_url_is_wrapped(url, method):
    """The limits are applied in the URL patterns; a refactoring must not drop one."""
    from django.urls import resolve

    view = resolve(url).func
    assert getattr(view, "rate_limits", ()), url
