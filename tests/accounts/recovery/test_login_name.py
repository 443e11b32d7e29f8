"""Loginnaam opvragen: one answer for every address, one e-mail with all names."""

from __future__ import annotations

import pytest

from tests.accounts.recovery.conftest import emails_to, queued_emails, without_csrf
from tests.factories import UserFactory
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db


def page_template(response) -> str:
    return next(t.name for t in response.templates if t.name.startswith("accounts/"))


URL = "/recover/login-name/"


def ask(client, email, **extra):
    return client.post(URL, {"email": email}, **extra)


def test_the_form_asks_for_the_email_address(client, tenant):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'autocomplete="email"' in body and 'type="email"' in body
    assert '<label for="id_email">' in body


def test_the_login_names_of_all_active_accounts_come_in_one_email(client, tenant, other_tenant):
    UserFactory(tenant=tenant, username="piet.een", email="piet@werkgever.example")
    UserFactory(tenant=tenant, username="piet.twee", email="Piet@Werkgever.example")
    UserFactory(tenant=tenant, username="piet.weg", email="piet@werkgever.example", is_active=False)
    UserFactory(tenant=other_tenant, username="piet.elders", email="piet@werkgever.example")
    response = ask(client, "piet@werkgever.example")
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    [email] = emails_to("piet@werkgever.example")
    assert "piet.een" in email.body and "piet.twee" in email.body
    assert "piet.weg" not in email.body and "piet.elders" not in email.body
    assert "piet.een" in email.html_body
    assert "http://testserver/accounts/login/" in email.body  # the link as plain text too
    assert "noreply@" in email.body and "contacts" in email.body
    assert "Arbodienst Demo" in email.subject
    event = AuditEvent.objects.get(event=Event.LOGIN_NAME_REQUESTED)
    assert event.tenant == tenant and event.data == {"accounts": 2}


def test_known_and_unknown_addresses_get_the_same_answer_and_work(
    client, tenant, hr_user, hasher_calls
):
    known = ask(client, hr_user.email)
    known_calls = list(hasher_calls)
    hasher_calls.clear()
    unknown = ask(client, "niemand@werkgever.example")
    assert known.status_code == unknown.status_code == 200
    assert page_template(known) == page_template(unknown)
    assert without_csrf(known).replace(hr_user.email, "X") == without_csrf(unknown).replace(
        "niemand@werkgever.example", "X"
    )
    assert known_calls == hasher_calls == []
    assert len(emails_to(hr_user.email)) == 1
    assert emails_to("niemand@werkgever.example") == []
    assert queued_emails() == 1
    assert AuditEvent.objects.filter(event=Event.LOGIN_NAME_REQUESTED).count() == 2


def test_an_invalid_address_is_explained(client, tenant):
    response = ask(client, "geen-adres")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert queued_emails() == 0
