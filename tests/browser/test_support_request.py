"""A user meets an error page, sends a support request with its reference code, and the
support desk finds it in its list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flows import (
    at,
    enter_sms_code,
    expect_home,
    fill_labelled,
    log_out,
    newest_sms_code,
    password_step,
    submit_form_of,
)
from verzuim.core.models import ErrorReport
from verzuim.help.models import SupportRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def log_in(page: Page, user, password: str) -> None:
    password_step(page, user, password)
    enter_sms_code(page, newest_sms_code(user))
    expect_home(page, user)


def test_support_request_carries_the_error_reference(page: Page, hr_user, support_user, password):
    log_in(page, hr_user, password)

    response = page.goto("/this-page-does-not-exist/")
    assert response is not None and response.status == 404
    code = page.locator(".reference-box .reference-code")
    expect(code).to_be_visible()
    reference = code.inner_text().strip()
    assert ErrorReport.objects.filter(reference=reference, user=hr_user).exists()

    page.locator("a.support-request-link").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/help/contact/\?"))
    expect(page.locator("#id_error_reference")).to_have_value(reference)
    fill_labelled(page, "id_subject", "Pagina werkt niet")
    fill_labelled(page, "id_message", "Ik kreeg een foutpagina toen ik op een link klikte.")
    submit_form_of(page, "id_subject")

    expect(page).to_have_url(at("/help/contact/sent/"))
    expect(page.locator(".support-request-sent .reference-code")).to_have_text(reference)
    sent = SupportRequest.objects.get()
    assert sent.error_reference == reference
    assert sent.page == "/this-page-does-not-exist/"
    assert sent.login_name == hr_user.username
    log_out(page)

    log_in(page, support_user, password)
    page.goto("/help/support-requests/")
    row = page.locator("table.support-requests tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(hr_user.username)
    row.locator("a").first.click()
    expect(page).to_have_url(at(f"/help/support-requests/{sent.pk}/"))
    expect(page.locator("main")).to_contain_text("/this-page-does-not-exist/")
