"""Lost phone: a backup code plus an e-mailed link lets the user set a new number."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import last_sms_code
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.actions import generate_backup_codes

pytestmark = pytest.mark.django_db

NEW_PHONE = "+31687654321"
LINK = re.compile(r"https?://[^/\s]+(/settings/security/phone/confirm/[^/\s]+/)")


def log_in_with_backup_code(client, user, password):
    codes = generate_backup_codes(user)
    client.post("/accounts/login/", {"username": user.username, "password": password})
    client.post("/accounts/verify/backup-code/", {"code": codes[0]})
    return codes


def confirm_new_number(client):
    client.post("/settings/security/phone/", {"action": "number", "phone": NEW_PHONE})
    return client.post("/settings/security/phone/",
                       {"action": "code", "code": last_sms_code(NEW_PHONE)})


def recovery_link(user) -> str:
    deliver_due()
    email = OutboxMessage.objects.filter(channel="email", to=user.email,
                                         subject__contains="Confirm your new mobile").get()
    assert email.html_body
    return LINK.search(email.body).group(1)


def test_backup_code_plus_email_link_sets_the_new_number(client, tenant, hr_user, password):
    old_phone = hr_user.phone
    log_in_with_backup_code(client, hr_user, password)
    response = confirm_new_number(client)
    assert "check your e-mail" in response.content.decode()
    hr_user.refresh_from_db()
    assert hr_user.phone == old_phone  # not yet: the e-mail link is needed too
    path = recovery_link(hr_user)
    assert "Finish changing your mobile number" in client.get(path).content.decode()
    assert client.post(path)["Location"] == "/settings/security/"
    hr_user.refresh_from_db()
    assert hr_user.phone == NEW_PHONE
    assert AuditEvent.objects.filter(event=Event.PHONE_RECOVERED, subject=hr_user).exists()
    deliver_due()
    told = OutboxMessage.objects.filter(channel="email", to=tenant.support_email,
                                        subject__contains=hr_user.username)
    assert told.exists()
    # The link works once only.
    assert client.get(path).status_code == 410


def test_link_belongs_to_its_user(client, tenant, hr_user, password):
    from tests.factories import UserFactory

    log_in_with_backup_code(client, hr_user, password)
    confirm_new_number(client)
    path = recovery_link(hr_user)
    other = UserFactory(tenant=tenant, username="collega")
    thief = Client()
    thief.post("/accounts/login/", {"username": other.username, "password": password})
    thief.post("/accounts/verify/sms/", {"code": last_sms_code(other.phone)})
    assert thief.get(path).status_code == 410
    assert thief.post(path).status_code == 410


def test_tampered_link_is_refused(client, hr_user, password):
    log_in_with_backup_code(client, hr_user, password)
    confirm_new_number(client)
    path = recovery_link(hr_user)
    assert client.get(path[:-3] + "xx/").status_code == 410


def test_after_an_sms_check_no_email_link_is_needed(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = confirm_new_number(client)
    assert response["Location"] == "/settings/security/"
