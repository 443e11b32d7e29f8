"""Changing the mobile number in a real browser: the code goes to the new number."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    at,
    code_in,
    enter_sms_code,
    expect_home,
    newest_sms_code,
    password_step,
)
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PHONE = "+31687654321"


def sms_to(phone: str) -> list[OutboxMessage]:
    deliver_due()
    return list(OutboxMessage.objects.filter(channel="sms", to=phone).order_by("-created", "-id"))


def submit(page: Page, field_id: str) -> None:
    page.locator("form", has=page.locator(f"#{field_id}")).locator("button[type=submit]").click()


def test_change_mobile_number_end_to_end(page: Page, live_server, hr_user, password):
    old_phone = hr_user.phone
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)

    page.goto(f"{live_server.url}/settings/security/")
    page.locator("a[href='/settings/security/phone/']").click()
    expect(page).to_have_url(at("/settings/security/phone/"))
    page.fill("#id_phone", "06 8765 4321")
    submit(page, "id_phone")

    expect(page.locator(".masked-phone")).to_contain_text("21")
    assert len(sms_to(NEW_PHONE)) == 1  # the confirmation code went to the new number
    page.fill("#id_code", code_in(sms_to(NEW_PHONE)[0]))
    submit(page, "id_code")

    expect(page).to_have_url(at("/settings/security/"))
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("#login-methods .masked-phone")).to_contain_text("21")
    hr_user.refresh_from_db()
    assert hr_user.phone == NEW_PHONE
    warning = sms_to(old_phone)[0].body.lower()
    assert "changed" in warning or "gewijzigd" in warning
