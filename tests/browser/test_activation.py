"""First login in a real browser: from the invitation e-mail to the portal home.

Stable markers (paths, ids) carry the assertions; the UI may be Dutch or English.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    at,
    enter_sms_code,
    expect_home,
    fill_labelled,
    newest_sms_code,
    says,
    snapshot,
    submit_form_of,
)
from verzuim.accounts.actions import create_user
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Koffie met twee klontjes suiker"
LINK_RE = re.compile(r"https?://[^/\s]+(/activate/[^/\s]+/[^/\s]+/)")


def invite(tenant):
    return create_user(
        tenant=tenant,
        username="nina.nieuw",
        email="nina@werkgever.example",
        phone="+31612345670",
        roles=["employer_hr"],
        first_name="Nina",
        last_name="Nieuw",
    )


def link_path_from_outbox(user) -> str:
    """The link in the newest invitation e-mail, as a path on the live server."""
    deliver_due()
    email = (
        OutboxMessage.objects.filter(channel="email", to=user.email)
        .order_by("-created", "-id")
        .first()
    )
    assert email is not None, "no invitation in the outbox"
    assert email.html_body, "the invitation has an HTML part too"
    match = LINK_RE.search(email.body)  # the plain-text part carries the link
    assert match, email.body
    return match.group(1)


def test_first_login_from_the_email_to_the_portal(page: Page, tenant):
    user = invite(tenant)
    page.goto(link_path_from_outbox(user))

    # Step 1: the password; the token has left the address bar.
    expect(page).to_have_url(at("/activate/password/"))
    expect(page.locator(".login-name")).to_have_text(user.username)
    snapshot(page, "activation-1-password")
    fill_labelled(page, "id_new_password1", NEW_PASSWORD)
    fill_labelled(page, "id_new_password2", NEW_PASSWORD)
    submit_form_of(page, "id_new_password1")

    # Step 2: the code sent by SMS to the number on file.
    expect(page).to_have_url(at("/activate/phone/"))
    masked = page.locator(".masked-phone")
    expect(masked).to_contain_text(user.phone[-2:])
    assert user.phone not in masked.inner_text()
    expect(page.locator("#id_code")).to_have_attribute("autocomplete", "one-time-code")
    snapshot(page, "activation-2-phone")
    enter_sms_code(page, newest_sms_code(user))

    # Step 3: an extra factor is optional.
    expect(page).to_have_url(at("/activate/extra/"))
    snapshot(page, "activation-3-extra")
    page.locator("#skip-extra").click()

    # Step 4: backup codes, shown once, confirmed saved.
    expect(page).to_have_url(at("/activate/backup-codes/"))
    page.locator("#make-codes").click()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    snapshot(page, "activation-4-codes")
    page.locator("#id_saved").check()
    submit_form_of(page, "id_saved")

    expect_home(page, user)
    assert says(page, "welkom", "welcome")
    user.refresh_from_db()
    assert user.activated_at is not None and user.phone_verified_at is not None


def test_an_expired_link_shows_a_clear_page(page: Page, tenant):
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        user = invite(tenant)
    response = page.goto(link_path_from_outbox(user))

    assert response is not None and response.status == 410
    expect(page.locator("main h1")).to_be_visible()
    assert says(page, "no longer works", "werkt niet meer")
    expect(page.locator("main")).to_contain_text(tenant.support_email)
    expect(page.locator("main a[href='/accounts/login/']")).to_be_visible()
    snapshot(page, "activation-link-expired")
