"""The login a person walks, in a real (headless) Chromium against the live app.

The UI is Dutch by default but its catalogue may still be empty, so the assertions lean on
stable markers (paths, classes, ids) and accept either the Dutch or the English wording.
Fields are found through their visible label, whatever its language.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db.models import F
from playwright.sync_api import Page, expect

from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.sms.models import SmsChallenge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN = "/accounts/login/"
SMS = "/accounts/verify/sms/"
BACKUP_CODE = "/accounts/verify/backup-code/"
NEW_BACKUP_CODES = "/accounts/verify/backup-codes/new/"


# --- helpers --------------------------------------------------------------------------------

def at(path: str) -> re.Pattern[str]:
    """Matches the page URL for ``path`` (no query string expected)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def says(page: Page, *wordings: str) -> bool:
    body = page.locator("body").inner_text().lower()
    return any(w.lower() in body for w in wordings)


def fill_labelled(page: Page, field_id: str, value: str) -> None:
    """Fill a field as a person would: by its visible label (in whichever language)."""
    label = page.locator(f"label[for={field_id}]").inner_text().strip()
    assert label, f"#{field_id} has no visible label"
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_id(field_id)
    field.fill(value)


def submit_form_of(page: Page, field_id: str) -> None:
    """Click the submit button of the form holding ``#field_id``."""
    form = page.locator("form", has=page.locator(f"#{field_id}"))
    form.locator("button[type=submit]").click()


def snapshot(page: Page, name: str) -> None:
    """Save a screenshot for a human look when VERZUIM_SCREENSHOTS is set."""
    if os.environ.get("VERZUIM_SCREENSHOTS"):
        out = Path(__file__).resolve().parents[2] / "test-results"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def sms_messages(user) -> list[OutboxMessage]:
    deliver_due()  # normally already done by the immediate task backend on commit
    return list(OutboxMessage.objects.filter(channel="sms", to=user.phone)
                .order_by("-created", "-id"))


def emails_to(address: str) -> list[tuple[str, str]]:
    """(subject, body) of the e-mails delivered to ``address``.

    Delivered mail lands in the development outbox table, or, when pytest-django's test
    environment has switched Django's EMAIL_BACKEND to locmem, in ``mail.outbox``.
    """
    deliver_due()
    found = [(m.subject, m.body) for m in
             OutboxMessage.objects.filter(channel="email", to=address).order_by("created", "id")]
    found += [(m.subject, m.body) for m in mail.outbox if address in m.to]
    return found


def code_in(message: OutboxMessage) -> str:
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def newest_sms_code(user) -> str:
    messages = sms_messages(user)
    assert messages, "no SMS in the outbox"
    return code_in(messages[0])


def another_code(code: str, step: int = 1) -> str:
    return f"{(int(code) + step) % 10**6:06d}"


def password_step(page: Page, user, password: str) -> None:
    page.goto(LOGIN)
    fill_labelled(page, "id_username", user.username)
    fill_labelled(page, "id_password", password)
    submit_form_of(page, "id_password")
    expect(page).to_have_url(at(SMS))


def enter_sms_code(page: Page, code: str) -> None:
    fill_labelled(page, "id_code", code)
    submit_form_of(page, "id_code")


def open_failed_menu(page: Page) -> None:
    menu = page.locator("details#login-failed")
    expect(menu).to_be_visible()
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")


def expect_home(page: Page, user) -> None:
    expect(page).to_have_url(at("/"))
    expect(page.locator(".topbar .who")).to_have_text(user.get_full_name())
    expect(page.locator("main h1")).to_contain_text(user.first_name)


def log_out(page: Page) -> None:
    page.locator("form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page).to_have_url(at(LOGIN))


def shift_sms_challenges(user, seconds: int) -> None:
    """Let time pass for the resend rules, without sleeping."""
    SmsChallenge.objects.filter(user=user).update(
        created_at=F("created_at") - timedelta(seconds=seconds))


# --- 1. login with the SMS code ---------------------------------------------------------------

def test_login_with_sms_code_lands_on_home(page: Page, hr_user, password):
    password_step(page, hr_user, password)
    masked = page.locator(".masked-phone")
    expect(masked).to_be_visible()
    assert hr_user.phone not in masked.inner_text()
    assert hr_user.phone[-2:] in masked.inner_text()
    expect(page.locator("details#login-failed")).not_to_have_attribute("open", "")
    snapshot(page, "sms-page")

    enter_sms_code(page, newest_sms_code(hr_user))

    expect_home(page, hr_user)
    expect(page.locator("main h1")).to_contain_text(hr_user.first_name)
    snapshot(page, "home-page")


# --- 2. a wrong code, then the right one ------------------------------------------------------

def test_wrong_code_shows_error_then_right_code_works(page: Page, hr_user, password):
    password_step(page, hr_user, password)
    code = newest_sms_code(hr_user)

    enter_sms_code(page, another_code(code))

    expect(page).to_have_url(at(SMS))
    error = page.locator("#id_code_error.field-error")
    expect(error).to_be_visible()
    assert says(page, "incorrect", "onjuist", "niet juist", "klopt niet", "fout")
    expect(error).to_contain_text("2")  # tries left on this code
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    snapshot(page, "sms-page-wrong-code")

    enter_sms_code(page, code)

    expect_home(page, hr_user)


def test_code_with_wrong_format_is_explained(page: Page, hr_user, password):
    password_step(page, hr_user, password)

    enter_sms_code(page, "12ab")

    expect(page.locator("#id_code_error.field-error")).to_contain_text("6")
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)


# --- 3. "Inloggen mislukt?" -> "SMS opnieuw versturen" -----------------------------------------

def test_resend_waits_then_sends_new_code_and_only_newest_works(
    page: Page, hr_user, password
):
    password_step(page, hr_user, password)
    first_code = newest_sms_code(hr_user)
    assert len(sms_messages(hr_user)) == 1

    # Right after the first SMS the menu says when a new one can be sent.
    open_failed_menu(page)
    wait = page.locator("#login-failed .resend-wait")
    expect(wait).to_be_visible()
    expect(wait).to_have_text(re.compile(r"\b(30|2\d)\b.*\d{2}:\d{2}:\d{2}", re.S))
    assert says(page, "second", "seconde")
    expect(page.locator("#login-failed button[disabled]")).to_be_visible()
    expect(page.locator("#login-failed form button[type=submit]")).to_have_count(0)
    snapshot(page, "sms-page-failed-menu")

    # Half a minute later the button is there; a second tab shows the same page.
    shift_sms_challenges(hr_user, 31)
    page.reload()
    open_failed_menu(page)
    other_tab = page.context.new_page()
    other_tab.goto(SMS)
    open_failed_menu(other_tab)

    page.locator("#login-failed form button[type=submit]").click()

    expect(page).to_have_url(at(SMS))
    sent = page.locator(".message-success")
    expect(sent).to_be_visible()
    expect(sent).to_contain_text(page.locator(".masked-phone").inner_text())
    assert len(sms_messages(hr_user)) == 2
    new_code = newest_sms_code(hr_user)

    # The other tab's button is stale now: the app explains the next wait instead of sending.
    other_tab.locator("#login-failed form button[type=submit]").click()
    expect(other_tab).to_have_url(at(SMS))
    expect(other_tab.locator(".message-warning")).to_contain_text(re.compile(r"\b1\b"))
    assert says(other_tab, "minute", "minuut", "minuten")
    assert len(sms_messages(hr_user)) == 2
    other_tab.close()

    # The next resend waits a minute.
    open_failed_menu(page)
    expect(page.locator("#login-failed .resend-wait")).to_be_visible()

    if first_code != new_code:  # one chance in a million that they are the same
        enter_sms_code(page, first_code)
        expect(page).to_have_url(at(SMS))
        expect(page.locator("#id_code_error.field-error")).to_be_visible()

    enter_sms_code(page, new_code)

    expect_home(page, hr_user)


# --- 4. login with a backup code, then a new set --------------------------------------------

def test_backup_code_login_leads_to_new_set_and_old_codes_stop_working(
    page: Page, hr_user, password
):
    old_codes = generate_backup_codes(hr_user)
    password_step(page, hr_user, password)

    open_failed_menu(page)
    page.locator(f"#login-failed a[href='{BACKUP_CODE}']").click()
    expect(page).to_have_url(at(BACKUP_CODE))
    fill_labelled(page, "id_code", old_codes[0])
    submit_form_of(page, "id_code")

    # Led straight to making a new set, with the reason given.
    expect(page).to_have_url(at(NEW_BACKUP_CODES))
    expect(page.locator(".message-warning")).to_contain_text("9")
    expect(page.locator(".topbar .who")).to_have_text(hr_user.get_full_name())
    page.locator("main button[name=generate]").click()

    codes = page.locator("ol.backup-codes li")
    expect(codes).to_have_count(10)
    new_codes = [c.strip() for c in codes.all_inner_texts()]
    assert len(set(new_codes)) == 10
    assert not set(new_codes) & set(old_codes)
    snapshot(page, "backup-codes-show")

    saved = page.locator("#id_saved")
    expect(saved).not_to_be_checked()
    label = page.locator("label[for=id_saved]").inner_text().strip()
    page.get_by_label(label, exact=True).check()
    expect(saved).to_be_checked()
    submit_form_of(page, "id_saved")

    expect_home(page, hr_user)
    expect(page.locator(".message-success")).to_be_visible()

    # A later login: the old codes (used and unused) are refused, a new one works.
    log_out(page)
    password_step(page, hr_user, password)
    page.goto(BACKUP_CODE)
    for old in (old_codes[0], old_codes[1]):
        fill_labelled(page, "id_code", old)
        submit_form_of(page, "id_code")
        expect(page).to_have_url(at(BACKUP_CODE))
        expect(page.locator("#id_code_error.field-error")).to_be_visible()

    fill_labelled(page, "id_code", new_codes[0])
    submit_form_of(page, "id_code")
    expect(page).to_have_url(at(NEW_BACKUP_CODES))


# --- 5. blocked after too many wrong codes --------------------------------------------------

def test_too_many_wrong_codes_block_the_account_plainly(page: Page, tenant, hr_user, password):
    tenant.second_step_block_threshold = 3
    tenant.save(update_fields=["second_step_block_threshold"])
    password_step(page, hr_user, password)
    code = newest_sms_code(hr_user)

    for n in range(1, 3):
        enter_sms_code(page, another_code(code, n))
        expect(page.locator("#id_code_error.field-error")).to_be_visible()
    enter_sms_code(page, another_code(code, 3))

    alert = page.locator(".alert-error")
    expect(alert).to_be_visible()
    expect(page.locator("#id_code")).to_have_count(0)
    assert says(page, "geblokkeerd", "blocked")
    support = page.locator(f"main a[href='mailto:{tenant.support_email}']")
    expect(support).to_be_visible()
    expect(support).to_have_text(tenant.support_email)
    snapshot(page, "blocked-page")

    hr_user.refresh_from_db()
    assert hr_user.blocked_at is not None, "the page says blocked, but the account is not"
    emails = emails_to(hr_user.email)
    assert len(emails) == 1, "no e-mail about the block in the outbox"
    subject, body = emails[0]
    assert any(w in subject.lower() for w in ("geblokkeerd", "blocked")), subject
    assert tenant.support_email in body

    # The right password now leads to the same plain explanation, not to a new SMS.
    password_count = len(sms_messages(hr_user))
    page.goto(LOGIN)
    fill_labelled(page, "id_username", hr_user.username)
    fill_labelled(page, "id_password", password)
    submit_form_of(page, "id_password")
    expect(page.locator(".alert-error")).to_be_visible()
    expect(page.locator(f"main a[href='mailto:{tenant.support_email}']")).to_be_visible()
    assert len(sms_messages(hr_user)) == password_count


# --- without JavaScript ---------------------------------------------------------------------

def test_login_and_failed_menu_work_without_javascript(browser, live_server, hr_user, password):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        password_step(page, hr_user, password)
        open_failed_menu(page)  # <details> opens without any script
        expect(page.locator("#login-failed .resend-wait")).to_be_visible()
        enter_sms_code(page, newest_sms_code(hr_user))
        expect_home(page, hr_user)
    finally:
        context.close()
