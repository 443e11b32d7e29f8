"""The per-process memories of the tenant of a host name and of the help sidebar: they save
a query on every page, and a change saved through the models shows on the next request."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verzuim.core.memo import Memo
from verzuim.help.models import FaqItem
from verzuim.help.queries import SIDEBARS
from verzuim.tenants.middleware import TENANTS_BY_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memories_on(settings):
    settings.TENANT_MEMO_SECONDS = 30
    settings.HELP_MEMO_SECONDS = 60
    TENANTS_BY_HOST.clear()
    SIDEBARS.clear()
    yield
    TENANTS_BY_HOST.clear()
    SIDEBARS.clear()


def queried_tables(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_second_page_asks_neither_tenant_nor_help_texts(client, tenant):
    first = queried_tables(client, "/accounts/login/")
    assert any("tenants_tenant" in sql for sql in first)
    assert any("help_faqitem" in sql for sql in first)
    second = queried_tables(client, "/accounts/login/")
    assert not any("tenants_tenant" in sql or "help_faqitem" in sql for sql in second)


def test_a_saved_tenant_shows_at_once_and_a_deactivated_one_is_gone(client, tenant):
    client.get("/accounts/login/")
    tenant.name = "Arbodienst Nieuw"
    tenant.save()
    assert "Arbodienst Nieuw" in client.get("/accounts/login/").content.decode()
    tenant.is_active = False
    tenant.save()
    assert client.get("/accounts/login/").status_code == 404


def test_an_edited_help_text_shows_at_once(client, tenant):
    item = FaqItem.objects.filter(tenant=tenant, before_login=True, language="en").first()
    assert item is not None
    assert item.title in client.get("/accounts/login/").content.decode()
    item.title = "Een geheel nieuwe vraag"
    item.save()
    assert "Een geheel nieuwe vraag" in client.get("/accounts/login/").content.decode()
    item.delete()
    assert "Een geheel nieuwe vraag" not in client.get("/accounts/login/").content.decode()


def test_the_sidebar_is_remembered_per_roles(client, tenant, hr_user, support_user):
    """Logged-out visitors, HR and support each get their own sidebar, never another's."""
    from verzuim.help.queries import sidebar

    anonymous = sidebar(tenant, None)
    hr = sidebar(tenant, hr_user)
    support = sidebar(tenant, support_user)
    assert anonymous["manuals"] == []
    assert hr["manuals"] and hr["manuals"] != support["manuals"]
    assert sidebar(tenant, hr_user) is hr  # remembered


def test_entries_expire_and_none_is_not_remembered():
    calls: list[int] = []
    memo: Memo[int | None] = Memo(lambda: 0.05)

    def load() -> int:
        calls.append(1)
        return len(calls)

    assert memo.get("k", load) == 1
    assert memo.get("k", load) == 1
    time.sleep(0.06)
    assert memo.get("k", load) == 2
    assert memo.get("missing", lambda: None) is None
    assert memo.get("missing", lambda: 5) == 5


def test_a_lifetime_of_zero_remembers_nothing():
    memo: Memo[int] = Memo(lambda: 0)
    values = iter([1, 2])
    assert memo.get("k", lambda: next(values)) == 1
    assert memo.get("k", lambda: next(values)) == 2
