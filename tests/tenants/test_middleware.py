"""The host name decides which portal someone is on; a session never crosses portals."""

from __future__ import annotations

import pytest

from tests.core.pages import body, shown, shown_reference
from tests.factories import TenantFactory
from verzuim.core.models import ErrorReport

OTHER_HOST = "andere.verzuim.test"
UNKNOWN_HOST = "onbekend.verzuim.test"


def portal_name(response) -> str:
    return response.context["tenant"].name if response.context else ""


def test_tenant_is_chosen_by_host_name(client, tenant, other_tenant):
    assert portal_name(client.get("/accounts/login/")) == tenant.name
    response = client.get("/accounts/login/", HTTP_HOST=OTHER_HOST)
    assert portal_name(response) == other_tenant.name
    assert other_tenant.name in body(response) and tenant.name not in body(response)


def test_host_name_matching_ignores_port_case_and_trailing_dot(client, other_tenant):
    for host in ("ANDERE.verzuim.test", "andere.verzuim.test:8443", "andere.verzuim.test."):
        response = client.get("/accounts/login/", HTTP_HOST=host)
        assert portal_name(response) == other_tenant.name, host


# --- development and test --------------------------------------------------------------------

def test_unknown_host_falls_back_to_the_default_tenant_outside_production(
    client, settings, tenant, other_tenant
):
    settings.DEFAULT_TENANT_SLUG = "andere"
    response = client.get("/accounts/login/", HTTP_HOST=UNKNOWN_HOST)
    assert portal_name(response) == other_tenant.name


def test_query_parameter_chooses_the_tenant_and_is_remembered(client, tenant, other_tenant):
    response = client.get("/accounts/login/?tenant=andere", HTTP_HOST=UNKNOWN_HOST)
    assert portal_name(response) == other_tenant.name

    # The choice sticks for this browser session without repeating the parameter.
    response = client.get("/help/faq/", HTTP_HOST=UNKNOWN_HOST)
    assert portal_name(response) == other_tenant.name


def test_query_parameter_cannot_override_a_known_host(client, tenant, other_tenant):
    response = client.get("/accounts/login/?tenant=andere")  # host testserver = tenant
    assert portal_name(response) == tenant.name


def test_unknown_slug_falls_back_to_the_default(client, tenant):
    response = client.get("/accounts/login/?tenant=does-not-exist", HTTP_HOST=UNKNOWN_HOST)
    assert portal_name(response) == tenant.name


def test_without_any_tenant_the_unknown_portal_page_is_shown(client, settings, db):
    settings.DEFAULT_TENANT_SLUG = "demo"  # but there is no such tenant
    response = client.get("/accounts/login/", HTTP_HOST=UNKNOWN_HOST)
    assert response.status_code == 404
    assert shown("Unknown portal") in body(response)


# --- production -----------------------------------------------------------------------------

def test_in_production_an_unknown_host_gets_the_unknown_portal_page(
    client, production, tenant
):
    response = client.get("/accounts/login/", HTTP_HOST=UNKNOWN_HOST)

    assert response.status_code == 404
    html = body(response)
    assert shown("Unknown portal") in html
    assert shown("There is no portal at this address. Check the address in the e-mail or "
                 "letter you received.") in html
    assert tenant.name not in html and tenant.support_email not in html
    assert 'name="password"' not in html  # no login form for a portal that does not exist
    report = ErrorReport.objects.get(reference=shown_reference(response))
    assert (report.status, report.error_type, report.tenant) == (404, "UnknownTenant", None)


def test_in_production_the_query_parameter_is_ignored(client, production, tenant):
    response = client.get("/accounts/login/?tenant=demo", HTTP_HOST=UNKNOWN_HOST)
    assert response.status_code == 404
    assert tenant.name not in body(response)


def test_in_production_a_remembered_development_choice_is_ignored(
    client, settings, tenant
):
    client.get("/accounts/login/?tenant=demo", HTTP_HOST=UNKNOWN_HOST)  # stored in the session
    settings.ENVIRONMENT = "production"
    settings.DEFAULT_TENANT_SLUG = ""
    response = client.get("/accounts/login/", HTTP_HOST=UNKNOWN_HOST)
    assert response.status_code == 404


def test_in_production_known_hosts_still_work(client, production, tenant, other_tenant):
    assert portal_name(client.get("/accounts/login/")) == tenant.name
    response = client.get("/accounts/login/", HTTP_HOST=OTHER_HOST)
    assert portal_name(response) == other_tenant.name


def test_health_check_and_static_files_need_no_tenant(client, production, db):
    assert client.get("/healthz", HTTP_HOST=UNKNOWN_HOST).status_code == 200
    response = client.get("/static/css/portal.css", HTTP_HOST=UNKNOWN_HOST)
    assert response.status_code == 200


def test_an_inactive_tenant_is_not_served(client, production, db):
    TenantFactory(slug="oud", host="oud.verzuim.test", name="Oude Arbodienst", is_active=False)
    response = client.get("/accounts/login/", HTTP_HOST="oud.verzuim.test")
    assert response.status_code == 404
    assert "Oude Arbodienst" not in body(response)


# --- sessions never cross portals ------------------------------------------------------------

@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_session_of_tenant_a_is_logged_out_on_tenant_b(
    settings, logged_in_client, hr_user, other_tenant, environment
):
    client = logged_in_client(hr_user)
    settings.ENVIRONMENT = environment
    assert client.get("/").status_code == 200  # logged in at its own portal

    response = client.get("/", HTTP_HOST=OTHER_HOST)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # The session is gone for good, also back at the user's own portal.
    again = client.get("/")
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")


def test_a_user_of_tenant_a_cannot_log_in_on_tenant_b(client, hr_user, password, other_tenant):
    response = client.post("/accounts/login/", {"username": hr_user.username,
                                                "password": password}, HTTP_HOST=OTHER_HOST)
    assert response.status_code == 200  # the generic "wrong login name or password" page
    assert "_auth_user_id" not in client.session
