"""Forgotten password in a real browser: from the login page to home with the new password.

Stable markers (paths, ids) carry the assertions; the UI may be Dutch or English.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    LOGIN,
    SMS,
    at,
    enter_sms_code,
    expect_home,
    fill_labelled,
    newest_sms_code,
    says,
    snapshot,
    submit_form_of,
)
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Fietsen langs de Amstel in april"
LINK_RE = re.compile(r"https?://([^/\s]+)(/recover/password/[^/\s]+/[^/\s]+/)")


def reset_path_from_outbox(user) -> str:
    """The link in the newest reset e-mail (on the tenant's host), as a live-server path."""
    deliver_due()
    email = (
        OutboxMessage.objects.filter(channel="email", to=user.email, body__contains="/recover/")
        .order_by("-created", "-id")
        .first()
    )
    assert email is not None, "no reset e-mail in the outbox"
    assert email.html_body
    match = LINK_RE.search(email.body)
    assert match, email.body
    assert match.group(1) == user.tenant.host
    return match.group(2)


def test_forgotten_password_from_login_page_to_home(page: Page, hr_user):
    page.goto(LOGIN)
    help_block = page.locator("details.login-help")
    help_block.locator("summary").click()
    page.locator("#forgot-password").click()

    expect(page).to_have_url(at("/recover/password/"))
    expect(page.locator("#id_username")).to_have_attribute("autocomplete", "username")
    fill_labelled(page, "id_username", hr_user.username)
    submit_form_of(page, "id_username")
    expect(page.locator(".recovery-sent")).to_be_visible()
    snapshot(page, "reset-1-sent")

    page.goto(reset_path_from_outbox(hr_user))
    expect(page).to_have_url(at("/recover/password/new/"))
    expect(page.locator(".login-name")).to_have_text(hr_user.username)
    fill_labelled(page, "id_new_password1", NEW_PASSWORD)
    fill_labelled(page, "id_new_password2", NEW_PASSWORD)
    snapshot(page, "reset-2-new-password")
    submit_form_of(page, "id_new_password1")

    expect(page).to_have_url(at(LOGIN))
    assert says(page, "password has been changed", "wachtwoord is gewijzigd")
    fill_labelled(page, "id_username", hr_user.username)
    fill_labelled(page, "id_password", NEW_PASSWORD)
    submit_form_of(page, "id_password")
    expect(page).to_have_url(at(SMS))
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)


def test_a_used_link_offers_a_new_one(page: Page, hr_user):
    page.goto("/recover/password/")
    fill_labelled(page, "id_username", hr_user.username)
    submit_form_of(page, "id_username")
    expect(page.locator(".recovery-sent")).to_be_visible()
    path = reset_path_from_outbox(hr_user)
    hr_user.set_password(NEW_PASSWORD)
    hr_user.save()

    response = page.goto(path)
    assert response is not None and response.status == 410
    page.locator("#request-new-link").click()
    expect(page).to_have_url(at("/recover/password/"))
