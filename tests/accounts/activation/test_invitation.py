"""Sending the invitation: the e-mail, its link, and who may send it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.accounts.activation.conftest import invitation_emails, link_in
from tests.factories import UserFactory
from verzuim.accounts.actions import create_user
from verzuim.accounts.activation.actions import (
    AccountInactive,
    AlreadyActivated,
    send_invitation,
)
from verzuim.accounts.models import User
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage, OutgoingMessage

pytestmark = pytest.mark.django_db


def test_creating_a_user_without_password_sends_the_invitation(invited_user, tenant):
    assert not invited_user.has_usable_password()
    assert invited_user.activated_at is None and invited_user.phone_verified_at is None
    assert invited_user.invitation_sent_at is not None
    [email] = invitation_emails(invited_user.email)
    # The invitation replaces the account-created e-mail: one message, with the login name.
    assert OutboxMessage.objects.filter(channel="email").count() == 1
    assert "nina.nieuw" in email.body
    assert email.subject == f"Activate your account at {tenant.name}"
    event = AuditEvent.objects.get(event=Event.INVITATION_SENT)
    assert event.subject == invited_user and event.actor is None


def test_the_email_is_multipart_and_carries_the_link_as_plain_text(invited_user, tenant):
    [email] = invitation_emails(invited_user.email)
    scheme, host, path = link_in(email).groups()
    assert (scheme, host) == ("http", "testserver")  # not production: plain http
    assert f"{scheme}://{host}{path}" in email.body
    assert email.html_body and f'href="{scheme}://{host}{path}"' in email.html_body
    assert f">{scheme}://{host}{path}</a>" in email.html_body  # also readable in the HTML part
    assert email.sender in email.body  # names the sender address for the contacts
    for part in (email.body, email.html_body):
        assert "valid for 7 days" in part
        assert "Ask support for a new invitation" in part
        assert tenant.support_email in part


def test_the_link_is_marked_sensitive_in_the_queue(invited_user):
    message = OutgoingMessage.objects.get(channel="email", to=invited_user.email)
    assert message.sensitive


def test_production_links_use_https(invited_user, settings):
    settings.ENVIRONMENT = "production"
    link = send_invitation(invited_user)
    assert link.startswith("https://testserver/activate/")


def test_a_short_lifetime_is_stated_in_hours(invited_user, settings):
    settings.ACTIVATION_LINK_SECONDS = 3 * 3600
    send_invitation(invited_user)
    email = invitation_emails(invited_user.email)[0]
    assert "valid for 3 hours" in email.body and "valid for 3 hours" in email.html_body


def test_activated_and_inactive_users_get_no_invitation(tenant, hr_user):
    with pytest.raises(AlreadyActivated):
        send_invitation(hr_user)
    inactive = UserFactory(tenant=tenant, activated_at=None, is_active=False)
    with pytest.raises(AccountInactive):
        send_invitation(inactive)
    assert not AuditEvent.objects.filter(event=Event.INVITATION_SENT).exists()


def test_create_user_with_a_password_keeps_the_account_created_email(tenant):
    user = create_user(
        tenant=tenant,
        username="dev.user",
        email="dev@werkgever.example",
        phone="+31612345671",
        roles=["manager"],
        password="Lang-en-Uniek-2026",
    )
    assert user.activated_at is not None and user.invitation_sent_at is None
    deliver_due()
    email = OutboxMessage.objects.get(channel="email", to="dev@werkgever.example")
    assert "/activate/" not in email.body
    assert not AuditEvent.objects.filter(event=Event.INVITATION_SENT).exists()


def test_the_create_portal_user_command_sends_the_invitation(tenant):
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
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="piet.hr")
    [email] = invitation_emails("piet@werkgever.example")
    assert "piet.hr" in email.body
    assert AuditEvent.objects.filter(event=Event.INVITATION_SENT, subject=user).exists()


# --- the admin action ------------------------------------------------------------------------


@pytest.fixture
def support_client(client, support_user, logged_in_client):
    return logged_in_client(support_user)


def resend(client, *users, **extra):
    return client.post(
        "/beheer/accounts/user/",
        {"action": "resend_invitation", "_selected_action": [u.pk for u in users]},
        follow=True,
        **extra,
    )


def test_support_resends_an_invitation_and_the_old_link_dies(
    support_client, support_user, invited_user
):
    old_link = link_in(invitation_emails(invited_user.email)[0]).group(3)
    response = resend(support_client, invited_user)
    assert response.status_code == 200
    assert "1 invitation sent." in response.content.decode()
    emails = invitation_emails(invited_user.email)
    assert len(emails) == 2
    new_link = link_in(emails[0]).group(3)
    assert new_link != old_link
    event = AuditEvent.objects.filter(event=Event.INVITATION_SENT).order_by("-id").first()
    assert event.actor == support_user and event.subject == invited_user
    # Only the newest link works.
    support_client.post("/accounts/logout/")
    assert support_client.get(old_link).status_code == 410
    assert support_client.get(new_link).status_code == 302


def test_activated_users_are_skipped_with_a_message(support_client, invited_user, hr_user):
    response = resend(support_client, invited_user, hr_user)
    body = response.content.decode()
    assert "1 invitation sent." in body
    assert "1 account skipped: it is already activated or deactivated." in body
    assert not invitation_emails(hr_user.email)


def test_a_forged_host_header_cannot_plant_a_foreign_link(support_client, invited_user):
    """The request that triggers the invitation names another host; the link does not."""
    response = resend(
        support_client,
        invited_user,
        HTTP_HOST="evil.verzuim.test",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 200
    assert "1 invitation sent." in response.content.decode()
    email = invitation_emails(invited_user.email)[0]
    assert link_in(email).group(2) == "testserver"
    assert "evil" not in email.body and "evil" not in email.html_body


def test_the_admin_only_sees_its_own_tenant(support_client, other_tenant):
    foreign = UserFactory(tenant=other_tenant, activated_at=None, username="vreemd")
    resend(support_client, foreign)
    assert not invitation_emails(foreign.email)
    foreign.refresh_from_db()
    assert foreign.invitation_sent_at is None


def test_send_invitation_sets_the_time(invited_user):
    before = invited_user.invitation_sent_at
    send_invitation(invited_user)
    invited_user.refresh_from_db()
    assert invited_user.invitation_sent_at > before
    assert invited_user.invitation_sent_at <= timezone.now()
