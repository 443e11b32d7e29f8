"""Who may open which support page: anonymous, HR, support of another tenant, our support."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.conftest import REASON

pytestmark = pytest.mark.django_db

GET_PAGES = ["/support/", "/support/errors/", "/support/audit/", "/support/audit/export/"]
USER_PAGES = ["/support/users/{pk}/"]
ACTIONS = ["unblock", "invitation", "phone", "factors", "sessions", "deactivate"]


def action_url(pk: int, action: str) -> str:
    return f"/support/users/{pk}/{action}/"


def action_data(action: str) -> dict[str, str]:
    data = {f"{action}-reason": REASON}
    if action == "phone":
        data["phone-phone"] = "06 87654321"
    return data


def all_urls(pk: int) -> list[tuple[str, str]]:
    urls = [("get", u) for u in GET_PAGES] + [("get", u.format(pk=pk)) for u in USER_PAGES]
    urls += [("post", action_url(pk, a)) for a in ACTIONS]
    urls += [("get", action_url(pk, a)) for a in ACTIONS]
    return urls


def test_anonymous_is_sent_to_the_login(client, target):
    for method, url in all_urls(target.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/"), (method, url)


def test_hr_user_is_refused(hr_client, target):
    for method, url in all_urls(target.pk):
        response = getattr(hr_client, method)(url)
        assert response.status_code == 403, (method, url)


def test_support_of_another_tenant_gets_404_for_our_users(foreign_support_client, target):
    client = foreign_support_client
    assert client.get("/support/").status_code == 200  # their own desk works
    assert client.get(f"/support/users/{target.pk}/").status_code == 404
    for action in ACTIONS:
        response = client.post(action_url(target.pk, action), action_data(action))
        assert response.status_code == 404, action
    target.refresh_from_db()
    assert target.is_active and target.phone == "+31612345678"


def test_support_of_another_tenant_does_not_find_our_users(foreign_support_client, target):
    response = foreign_support_client.get("/support/", {"q": "tom"})
    assert response.status_code == 200
    assert "tom.target" not in response.content.decode()


def test_our_session_is_not_valid_on_another_portal(support_client, other_tenant, target):
    response = support_client.get("/support/", HTTP_HOST="andere.verzuim.test")
    assert response.status_code == 302


def test_our_support_user_may_use_every_page(support_client, target):
    for url in GET_PAGES + [u.format(pk=target.pk) for u in USER_PAGES]:
        assert support_client.get(url).status_code == 200, url
    for action in ACTIONS:
        assert support_client.get(action_url(target.pk, action)).status_code == 405, action
    for action in ACTIONS:
        response = support_client.post(action_url(target.pk, action), action_data(action))
        assert response.status_code == 302, action
        assert response["Location"] == f"/support/users/{target.pk}/"


def test_topbar_links_to_the_desk_for_support_only(support_client, hr_client):
    assert 'href="/support/"' in support_client.get("/").content.decode()
    assert 'href="/support/"' not in hr_client.get("/").content.decode()


def test_anonymous_post_does_nothing(target):
    client = Client()
    client.post(action_url(target.pk, "deactivate"), action_data("deactivate"))
    target.refresh_from_db()
    assert target.is_active
