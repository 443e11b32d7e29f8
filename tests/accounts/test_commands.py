from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from verzuim.accounts.models import User
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.models import BackupCode

pytestmark = pytest.mark.django_db


def test_create_portal_user_creates_the_account_and_sends_the_email(tenant):
    out = io.StringIO()
    call_command(
        "create_portal_user",
        "--tenant",
        "demo",
        "--username",
        "piet.hr",
        "--email",
        "piet@werkgever.example",
        "--phone",
        "06 1234 5678",
        "--role",
        "employer_hr",
        "--role",
        "manager",
        stdout=out,
    )
    user = User.objects.get(username="piet.hr")
    assert user.phone == "+31612345678"
    assert user.roles == ["employer_hr", "manager"]
    assert not user.has_usable_password()
    deliver_due()
    email = OutboxMessage.objects.get(channel="email")
    assert email.to == "piet@werkgever.example"
    assert "piet.hr" in email.body


def test_create_portal_user_with_password_prints_backup_codes(tenant):
    out = io.StringIO()
    call_command(
        "create_portal_user",
        "--tenant",
        "demo",
        "--username",
        "kees",
        "--email",
        "kees@werkgever.example",
        "--phone",
        "+31687654321",
        "--role",
        "support",
        "--password",
        "Lang-en-Uniek-2026",
        stdout=out,
    )
    assert "Backup codes" in out.getvalue()
    assert BackupCode.objects.filter(user__username="kees").count() == 10


@pytest.mark.parametrize(
    "phone, message",
    [
        ("0201234567", "not a mobile number"),
        ("12", "does not exist"),
        ("+31 6 1", "does not exist"),
    ],
)
def test_create_portal_user_refuses_bad_phone_numbers(tenant, phone, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "create_portal_user",
            "--tenant",
            "demo",
            "--username",
            "x",
            "--email",
            "x@example.com",
            "--phone",
            phone,
            "--role",
            "manager",
        )


def test_create_portal_user_refuses_weak_password_and_duplicates(tenant, hr_user):
    with pytest.raises(CommandError, match="too common"):
        call_command(
            "create_portal_user",
            "--tenant",
            "demo",
            "--username",
            "y",
            "--email",
            "y@example.com",
            "--phone",
            "+31612340000",
            "--role",
            "manager",
            "--password",
            "password123",
        )
    with pytest.raises(CommandError, match="already in use"):
        call_command(
            "create_portal_user",
            "--tenant",
            "demo",
            "--username",
            hr_user.username.upper(),
            "--email",
            "z@example.com",
            "--phone",
            "+31612340001",
            "--role",
            "manager",
        )


def test_unknown_tenant_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No tenant"):
        call_command(
            "create_portal_user",
            "--tenant",
            "nope",
            "--username",
            "x",
            "--email",
            "x@example.com",
            "--phone",
            "+31612345678",
            "--role",
            "manager",
        )


def test_load_demo_creates_working_demo_logins(client, settings):
    settings.DEFAULT_TENANT_SLUG = "demo"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=io.StringIO())  # running it again is fine
    assert "demo.hr" in out.getvalue()
    response = client.post(
        "/accounts/login/", {"username": "demo.hr", "password": "Verzuim-demo-2026"}
    )
    assert response.status_code == 302
    response = client.post("/accounts/verify/backup-code/", {"code": "demx-2345-ab"})
    assert response.status_code == 302


def test_load_demo_refuses_production(db, settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("load_demo")
