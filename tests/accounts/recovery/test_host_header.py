"""A forged Host header never ends up in a link; an unknown host gets no e-mail at all."""

from __future__ import annotations

import pytest

from tests.accounts.recovery.conftest import emails_to, queued_emails, reset_link_in

pytestmark = pytest.mark.django_db


def test_a_forged_host_does_not_change_the_link(client, hr_user):
    response = client.post(
        "/recover/password/", {"username": hr_user.username}, HTTP_HOST="evil.verzuim.test"
    )
    assert response.status_code == 200
    [email] = emails_to(hr_user.email)
    match = reset_link_in(email)
    assert match.group(2) == hr_user.tenant.host == "testserver"
    assert "evil" not in email.body and "evil" not in email.html_body


def test_a_forged_host_does_not_change_the_login_link_either(client, hr_user):
    client.post("/recover/login-name/", {"email": hr_user.email}, HTTP_HOST="evil.verzuim.test")
    [email] = emails_to(hr_user.email)
    assert "http://testserver/accounts/login/" in email.body
    assert "evil" not in email.body and "evil" not in email.html_body


@pytest.mark.parametrize(
    ("url", "field"), [("/recover/password/", "username"), ("/recover/login-name/", "email")]
)
def test_an_unknown_host_in_production_gets_no_email(client, settings, hr_user, url, field):
    settings.ENVIRONMENT = "production"
    settings.SECURE_SSL_REDIRECT = False
    value = hr_user.username if field == "username" else hr_user.email
    response = client.post(url, {field: value}, HTTP_HOST="evil.verzuim.test")
    assert response.status_code == 404
    assert queued_emails() == 0


def test_links_use_https_on_the_tenant_host_in_production(settings, hr_user):
    from verzuim.accounts.recovery.actions import reset_link

    settings.ENVIRONMENT = "production"
    assert reset_link(hr_user).startswith("https://testserver/recover/password/")
