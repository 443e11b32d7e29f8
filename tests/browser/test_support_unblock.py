"""A user blocks their account with wrong codes; the support desk unblocks it.

Two browsers: the user's (the ``page`` fixture) and the support user's (its own context, so
no cookies are shared). Stable markers (ids, URLs) keep the test independent of the language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import TIMEOUT_MS
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN = "/accounts/login/"
SMS = "/accounts/verify/sms/"
REASON = "Called from the known number; identity checked with date of birth"


def at(path: str) -> re.Pattern[str]:
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def newest_sms_code(user) -> str:
    deliver_due()
    message = (
        OutboxMessage.objects.filter(channel="sms", to=user.phone)
        .order_by("-created", "-id")
        .first()
    )
    assert message is not None, "no SMS in the outbox"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def password_step(page: Page, user, password: str) -> None:
    page.goto(LOGIN)
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("form", has=page.locator("#id_password")).locator("button[type=submit]").click()
    expect(page).to_have_url(at(SMS))


def enter_sms_code(page: Page, code: str) -> None:
    page.locator("#id_code").fill(code)
    page.locator("form", has=page.locator("#id_code")).locator("button[type=submit]").click()


def log_in(page: Page, user, password: str) -> None:
    password_step(page, user, password)
    enter_sms_code(page, newest_sms_code(user))
    expect(page).to_have_url(at("/"))


def test_support_unblocks_a_blocked_user(
    page: Page, browser, live_server, tenant, hr_user, support_user, password
):
    tenant.second_step_block_threshold = 3
    tenant.save(update_fields=["second_step_block_threshold"])

    # The user types three wrong codes and is blocked.
    password_step(page, hr_user, password)
    code = int(newest_sms_code(hr_user))
    for n in range(1, 4):
        enter_sms_code(page, f"{(code + n) % 10**6:06d}")
    expect(page.locator(".alert-error")).to_be_visible()
    expect(page.locator("#id_code")).to_have_count(0)
    hr_user.refresh_from_db()
    assert hr_user.is_blocked

    # The support user, in a browser of their own, finds the user and unblocks the account.
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    desk = context.new_page()
    try:
        log_in(desk, support_user, password)
        desk.locator("header a[href='/support/']").click()
        expect(desk).to_have_url(at("/support/"))
        desk.locator("#id_q").fill(hr_user.username)
        desk.locator("form[role=search] button[type=submit]").click()
        desk.locator(f"#results a[href='/support/users/{hr_user.pk}/']").click()
        expect(desk).to_have_url(at(f"/support/users/{hr_user.pk}/"))
        action = desk.locator("details#action-unblock")
        action.locator("summary").click()
        action.locator("#id_unblock-reason").fill(REASON)
        action.locator("button[type=submit]").click()
        expect(desk).to_have_url(at(f"/support/users/{hr_user.pk}/"))
        expect(desk.locator(".message-success")).to_be_visible()
        expect(desk.locator("details#action-unblock")).to_have_count(0)
    finally:
        context.close()

    event = AuditEvent.objects.get(event=Event.ACCOUNT_UNBLOCKED, subject=hr_user)
    assert event.actor_id == support_user.pk and event.data["reason"] == REASON

    # The user logs in again.
    log_in(page, hr_user, password)
    hr_user.refresh_from_db()
    assert not hr_user.is_blocked
