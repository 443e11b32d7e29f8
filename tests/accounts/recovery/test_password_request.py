"""Wachtwoord aanvragen: one answer for every login name; a link only for real accounts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.accounts.recovery.conftest import (
    emails_to,
    newest_reset_path,
    queued_emails,
    reset_link_in,
    without_csrf,
)
from tests.factories import UserFactory
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db


def page_template(response) -> str:
    return next(t.name for t in response.templates if t.name.startswith("accounts/"))


URL = "/recover/password/"


def test_the_form_asks_for_the_login_name(client, tenant):
    body = client.get(URL).content.decode()
    assert 'autocomplete="username"' in body and '<label for="id_username">' in body


def test_known_and_unknown_names_get_the_same_answer_and_work(
    client, hr_user, request_reset, hasher_calls
):
    known = request_reset(hr_user)
    known_calls = list(hasher_calls)
    hasher_calls.clear()
    unknown = request_reset("nobody.here")
    assert known.status_code == unknown.status_code == 200
    assert page_template(known) == page_template(unknown)
    assert without_csrf(known) == without_csrf(unknown)
    assert known_calls == hasher_calls == []
    assert queued_emails() == 1
    events = list(AuditEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED).order_by("id"))
    assert [e.data for e in events] == [{"sent": "link"}, {"sent": "none"}]
    assert events[0].subject == hr_user and events[1].subject is None
    assert events[1].login_name == "nobody.here"


def test_the_email_is_multipart_with_the_link_as_text_and_its_validity(
    client, tenant, hr_user, request_reset
):
    request_reset(hr_user.username.upper())  # login names are not case-sensitive
    [email] = emails_to(hr_user.email)
    match = reset_link_in(email)
    assert match.group(1) == "http" and match.group(2) == "testserver"
    assert match.group(0) in email.html_body
    assert "60 minutes" in email.body and "works once" in email.body
    assert "noreply@" in email.body and "contacts" in email.body
    assert "Copy it completely" in email.body  # what to do when the link does not open
    assert "/help/" in email.body
    assert tenant.name in email.subject and tenant.name in email.html_body


@override_settings(PASSWORD_RESET_SECONDS=1800)
def test_the_stated_validity_follows_the_setting(client, hr_user, request_reset):
    response = request_reset(hr_user)
    assert "30 minutes" in response.content.decode()
    assert "30 minutes" in emails_to(hr_user.email)[0].body


def test_an_account_not_yet_activated_gets_advice_instead_of_a_link(
    client, tenant, hr_user, request_reset
):
    new = UserFactory(tenant=tenant, username="nog.niet", activated_at=None)
    new.set_unusable_password()
    new.save()
    answer_new = request_reset(new)
    answer_known = request_reset(hr_user)
    assert without_csrf(answer_new) == without_csrf(answer_known)
    [email] = emails_to(new.email)
    assert "/recover/password/" not in email.body
    assert "new invitation" in email.body and tenant.support_email in email.body
    assert "new invitation" in email.html_body


def test_inactive_accounts_and_other_tenants_get_nothing(
    client, tenant, foreign_user, request_reset
):
    gone = UserFactory(tenant=tenant, username="weg", is_active=False)
    request_reset(gone)
    request_reset(foreign_user)
    assert queued_emails() == 0


def test_the_link_of_a_blocked_account_is_sent_too(client, tenant, request_reset):
    blocked = UserFactory(tenant=tenant, username="geblokt", blocked=True)
    request_reset(blocked)
    assert newest_reset_path(blocked).startswith("/recover/password/")
