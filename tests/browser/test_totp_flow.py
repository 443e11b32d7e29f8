"""Authenticator app in a real browser: add it from the key on screen, then log in with it."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    at,
    enter_sms_code,
    expect_home,
    newest_sms_code,
    password_step,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page, field_id: str) -> None:
    page.locator("form", has=page.locator(f"#{field_id}")).locator("button[type=submit]").click()


def test_add_an_authenticator_app_and_log_in_with_it(page: Page, live_server, hr_user,
                                                     password):
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)

    page.goto(f"{live_server.url}/settings/security/")
    page.locator("a[href='/accounts/verify/app/add/']").click()
    expect(page.locator(".totp-qr img")).to_be_visible()
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.fill("#id_name", "Werktelefoon")
    page.fill("#id_code", totp.now())
    submit(page, "id_code")
    expect(page).to_have_url(at("/settings/security/"))
    expect(page.locator("#login-methods")).to_contain_text("Werktelefoon")

    # Make the app the default second step, then log in again with it.
    page.check("#method-totp")
    page.locator("form", has=page.locator("#method-totp")).locator("button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    page.locator("form.logout button").click()

    later = timezone.now() + timedelta(seconds=60)  # a fresh time step: codes work once only
    with time_machine.travel(later, tick=True):
        page.goto("/accounts/login/")
        page.fill("#id_username", hr_user.username)
        page.fill("#id_password", password)
        submit(page, "id_password")
        expect(page).to_have_url(at("/accounts/verify/app/"))
        page.fill("#id_code", totp.at(later))
        submit(page, "id_code")
        expect_home(page, hr_user)
