"""Security keys in a real (headless) Chromium, with a virtual key over DevTools (CDP).

The live server runs on http://localhost, a secure context for WebAuthn, so the relying
party id is "localhost". Assertions lean on paths, ids and data attributes; the UI is Dutch.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import CDPSession, Page, expect

from tests.browser.test_login_flows import (
    LOGIN,
    SMS,
    at,
    enter_sms_code,
    expect_home,
    fill_labelled,
    log_out,
    newest_sms_code,
    open_failed_menu,
    password_step,
    snapshot,
    submit_form_of,
)
from tests.mfa.webauthn.soft_key import SoftKey
from verzuim.accounts.sessions import SessionStore
from verzuim.audit.models import AuditEvent, Event
from verzuim.mfa.webauthn.models import WebAuthnCredential

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_PAGE = "/accounts/verify/key/"
ADD = "/accounts/verify/key/add/"
SECURITY = "/settings/security/"


def virtual_key(page: Page) -> tuple[CDPSession, str]:
    """A USB security key (CTAP2, PIN set) that is touched as soon as it is asked."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def put_on_key(cdp: CDPSession, authenticator: str, key: SoftKey) -> None:
    """Give the virtual key the private key of a key registered on the server side."""
    pkcs8 = key.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cdp.send(
        "WebAuthn.addCredential",
        {
            "authenticatorId": authenticator,
            "credential": {
                "credentialId": base64.b64encode(key.credential_id).decode(),
                "isResidentCredential": False,
                "rpId": "localhost",
                "privateKey": base64.b64encode(pkcs8).decode(),
                "signCount": 0,
            },
        },
    )


def touch_key_button(page: Page) -> None:
    button = page.locator("[data-webauthn] [data-webauthn-start]")
    expect(button).to_be_visible()  # the script found WebAuthn support
    button.click()


def key_password_step(page: Page, user, password: str) -> None:
    """The password step for a user whose default method is the key."""
    page.goto(LOGIN)
    fill_labelled(page, "id_username", user.username)
    fill_labelled(page, "id_password", password)
    submit_form_of(page, "id_password")
    expect(page).to_have_url(at(KEY_PAGE))


def stale_session(page: Page) -> None:
    """Let the last second-factor check be long ago, so a change asks for it again."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "verzuim_session")
    session = SessionStore(session_key=cookie["value"])
    session["mfa_at"] = 0
    session.save()


def test_register_a_key_then_log_in_with_it(page: Page, live_server, hr_user, password):
    cdp, authenticator = virtual_key(page)
    password_step(page, hr_user, password)
    enter_sms_code(page, newest_sms_code(hr_user))
    expect_home(page, hr_user)

    # Instellingen → Beveiliging → add a security key, with a name
    page.goto(SECURITY)
    page.locator(f"a[href='{ADD}']").click()
    expect(page).to_have_url(at(ADD))
    fill_labelled(page, "id_name", "Mijn YubiKey")
    snapshot(page, "webauthn-add")
    touch_key_button(page)

    expect(page).to_have_url(at(SECURITY))
    expect(page.locator(".message-success")).to_contain_text("Mijn YubiKey")
    expect(page.locator("#login-methods")).to_contain_text("Mijn YubiKey")
    credential = WebAuthnCredential.objects.get(user=hr_user)
    assert credential.name == "Mijn YubiKey"
    on_key = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(on_key["credentials"]) == 1
    assert on_key["credentials"][0]["rpId"] == "localhost"

    # Log out; log in again, and choose the key under "Inloggen mislukt?"
    log_out(page)
    password_step(page, hr_user, password)
    open_failed_menu(page)
    page.locator(f"#login-failed a[href='{KEY_PAGE}']").click()
    expect(page).to_have_url(at(KEY_PAGE))
    touch_key_button(page)

    expect_home(page, hr_user)
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    assert credential.sign_count >= 1
    assert AuditEvent.objects.filter(event=Event.LOGIN_SUCCEEDED, data__method="webauthn").exists()


def test_key_as_default_with_error_retry_and_reauthentication(
    page: Page, live_server, hr_user, password
):
    from tests.mfa.webauthn.conftest import add_key

    key, credential = add_key(hr_user, name="Sleutelbos")
    # The server registered it for "testserver"; here the portal is "localhost".
    hr_user.preferred_method = "webauthn"
    hr_user.save()
    cdp, authenticator = virtual_key(page)
    put_on_key(cdp, authenticator, key)

    key_password_step(page, hr_user, password)
    expect(page.locator("noscript")).to_have_count(1)
    snapshot(page, "webauthn-login")

    # A bad signature: the page says so (live region), and the button works again.
    cdp.send(
        "WebAuthn.setResponseOverrideBits",
        {"authenticatorId": authenticator, "isBogusSignature": True},
    )
    touch_key_button(page)
    error = page.locator("[data-webauthn-error] .alert-error")
    expect(error).to_be_visible()
    expect(page).to_have_url(at(KEY_PAGE))
    snapshot(page, "webauthn-login-error")
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 1

    cdp.send(
        "WebAuthn.setResponseOverrideBits",
        {"authenticatorId": authenticator, "isBogusSignature": False},
    )
    touch_key_button(page)
    expect_home(page, hr_user)

    # Later, changing the phone number asks for the second step again: the key does it.
    stale_session(page)
    page.goto("/settings/security/phone/")
    expect(page).to_have_url(at("/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2Fphone%2F"))
    fill_labelled(page, "id_password", password)  # full re-authentication: password, then key
    submit_form_of(page, "id_password")
    touch_key_button(page)
    expect(page).to_have_url(at("/settings/security/phone/"))
    assert AuditEvent.objects.filter(event=Event.REAUTHENTICATED, data__method="webauthn").exists()
    credential.refresh_from_db()
    assert credential.sign_count == 3  # the key counted the refused signature as well


def test_without_a_key_the_sms_remains(page: Page, live_server, hr_user, password):
    """A user without keys never sees the key page: the SMS step works as before."""
    page.goto(KEY_PAGE)
    expect(page).to_have_url(at(LOGIN))
    password_step(page, hr_user, password)
    expect(page).to_have_url(at(SMS))
    open_failed_menu(page)
    expect(page.locator(f"#login-failed a[href='{KEY_PAGE}']")).to_have_count(0)


def test_a_browser_without_webauthn_is_told_what_to_do(page: Page, live_server, key_user, password):
    key_user.preferred_method = "webauthn"
    key_user.save()
    page.add_init_script("delete window.PublicKeyCredential;")
    key_password_step(page, key_user, password)
    expect(page.locator("[data-webauthn-error] .alert-error")).to_be_visible()
    expect(page.locator("[data-webauthn-start]")).to_be_hidden()
    expect(page.locator("details#login-failed")).to_be_visible()


def test_a_key_that_is_not_registered_is_explained(page: Page, live_server, key_user, password):
    key_user.preferred_method = "webauthn"
    key_user.save()
    virtual_key(page)  # a key without the registered credential on it
    key_password_step(page, key_user, password)
    touch_key_button(page)
    error = page.locator("[data-webauthn-error] .alert-error")
    expect(error).to_be_visible()
    expect(page.locator("[data-webauthn-start]")).to_be_enabled()
    expect(page).to_have_url(at(KEY_PAGE))
