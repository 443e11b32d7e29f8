"""FAQ answers lead to screens that solve the problem, walked in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    at,
    enter_sms_code,
    expect_home,
    newest_sms_code,
    password_step,
)
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgotten_login_name_from_the_faq_to_logging_in(page: Page, hr_user, password):
    page.goto("/help/faq/")
    page.locator("#inlognaam-vergeten a[href='/recover/login-name/']").first.click()
    expect(page).to_have_url(at("/recover/login-name/"))
    page.fill("#id_email", hr_user.email)
    page.locator("form", has=page.locator("#id_email")).locator("button[type=submit]").click()
    deliver_due()
    email = OutboxMessage.objects.filter(channel="email", to=hr_user.email).get()
    assert hr_user.username in email.body
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)


def test_logged_in_without_data_sees_why_and_whom_to_contact(page: Page, tenant, hr_user,
                                                             password):
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)
    empty = page.locator(".empty-state")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text(tenant.support_email)
