"""The authenticator app in the browser: the login step, adding, removing, re-authenticating."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

import pyotp
import pytest
from django.test import Client

from tests.conftest import confirm_password
from tests.factories import UserFactory
from tests.mfa.totp.conftest import STEP, code_for
from verzuim.accounts.models import TrustedDevice
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.totp import qr
from verzuim.mfa.totp.models import TotpDevice

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/verify/app/"
ADD = "/accounts/verify/app/add/"
SECURITY = "/settings/security/"


def wrong(right: str) -> str:
    return f"{(int(right) + 1) % 10**6:06d}"


def remove_url(device) -> str:
    return f"/accounts/verify/app/{device.pk}/remove/"


def make_stale(client) -> None:
    session = client.session
    session["mfa_at"] = 0
    session.save()


@pytest.fixture
def app_user(hr_user, add_app):
    """Hanna logs in with her app by default."""
    device = add_app(hr_user)
    hr_user.preferred_method = "totp"
    hr_user.save()
    return hr_user, device


# --- the login step --------------------------------------------------------------------------


def test_password_step_leads_to_the_app_when_it_is_the_default(
    client, app_user, login_password_step
):
    user, _device = app_user
    response = login_password_step(user)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not OutboxMessage.objects.filter(channel="sms").exists()
    deliver_due()
    assert not OutboxMessage.objects.filter(channel="sms").exists()  # no SMS sent needlessly
    body = client.get(VERIFY).content.decode()
    assert "Enter the code from your authenticator app" in body
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body


def test_right_code_logs_in_with_a_new_session_key(client, app_user, login_password_step):
    user, device = app_user
    login_password_step(user)
    key_after_password = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != key_after_password
    assert client.session["mfa_method"] == "totp"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(event=Event.LOGIN_SUCCEEDED, subject=user)
    assert event.data == {"method": "totp"}


def test_typed_code_with_a_space_is_accepted(client, app_user, login_password_step):
    user, device = app_user
    login_password_step(user)
    typed = code_for(device)
    response = client.post(VERIFY, {"code": f"{typed[:3]} {typed[3:]}"})
    assert response.status_code == 302


def test_wrong_code_shows_an_error_and_is_not_echoed(client, app_user, login_password_step):
    user, device = app_user
    login_password_step(user)
    bad = wrong(code_for(device))
    response = client.post(VERIFY, {"code": bad})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This code is incorrect. Check the time on your phone and try again." in body
    assert f'value="{bad}"' not in body
    assert client.get("/").status_code == 302
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_a_code_used_to_log_in_does_not_work_in_another_browser(
    client, app_user, login_password_step, password
):
    user, device = app_user
    login_password_step(user)
    typed = code_for(device)
    assert client.post(VERIFY, {"code": typed}).status_code == 302
    attacker = Client()
    attacker.post("/accounts/login/", {"username": user.username, "password": password})
    response = attacker.post(VERIFY, {"code": typed})
    assert response.status_code == 200 and "This code is incorrect" in response.content.decode()
    assert attacker.get("/").status_code == 302


def test_malformed_codes_are_refused_without_counting(client, app_user, login_password_step):
    user, _device = app_user
    login_password_step(user)
    assert client.post(VERIFY, {"code": ""}).status_code == 200
    for junk in ["abc", "1234567", "12345", "١٢٣٤٥٦"]:
        response = client.post(VERIFY, {"code": junk})
        assert response.status_code == 200
        assert "The code has 6 digits." in response.content.decode()
    user.refresh_from_db()
    assert user.second_step_failures == 0


def test_wrong_codes_block_after_the_tenant_threshold(
    client, tenant, app_user, login_password_step
):
    tenant.second_step_block_threshold = 3
    tenant.save()
    user, device = app_user
    login_password_step(user)
    bad = wrong(code_for(device))
    statuses = [client.post(VERIFY, {"code": bad}).status_code for _ in range(3)]
    assert statuses == [200, 200, 403]
    user.refresh_from_db()
    assert user.is_blocked
    # The pending login is gone: even the right code does not help now.
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_app_page_needs_the_password_step(client, tenant):
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    response = client.post(VERIFY, {"code": "123456"})
    assert response["Location"] == "/accounts/login/"


def test_user_without_an_app_is_sent_to_the_sms_step(client, hr_user, login_password_step, clock):
    login_password_step(hr_user)
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/sms/"


def test_failed_menu_offers_sms_backup_code_and_support(
    client, tenant, app_user, login_password_step
):
    user, _device = app_user
    generate_backup_codes(user)
    login_password_step(user)
    body = client.get(VERIFY).content.decode()
    assert "Login failed?" in body
    assert "Receive a code by SMS" in body and 'action="/accounts/verify/sms/resend/"' in body
    assert "Use a backup code" in body and 'href="/accounts/verify/backup-code/"' in body
    assert tenant.support_email in body
    # From the menu, an SMS code logs in as well.
    client.post("/accounts/verify/sms/resend/")
    from tests.conftest import last_sms_code

    assert client.post("/accounts/verify/sms/", {"code": last_sms_code()}).status_code == 302


def test_trusting_the_browser_after_an_app_code(client, tenant, app_user, login_password_step):
    tenant.trusted_device_days = 30
    tenant.save()
    user, device = app_user
    login_password_step(user)
    assert "Trust this browser for 30 days" in client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code_for(device), "trust_device": "1"})
    assert TrustedDevice.objects.filter(user=user).count() == 1


# --- adding an app ---------------------------------------------------------------------------


@pytest.fixture
def fresh_client(client, hr_user, logged_in_client, clock):
    """Hanna, logged in with SMS a moment ago (so the second step is fresh)."""
    logged_in_client(hr_user)
    return client


def qr_svg(body: str) -> str:
    match = re.search(
        r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*alt="([^"]+)"', body
    )
    assert match, "no QR image"
    assert "QR code" in match.group(2)
    return base64.b64decode(match.group(1)).decode()


def shown_key(body: str) -> str:
    match = re.search(r'<code class="totp-key"[^>]*>([A-Z2-7 ]+)</code>', body)
    assert match, "no key shown"
    return match.group(1)


def test_add_page_shows_qr_key_apps_and_fields(fresh_client, hr_user):
    response = fresh_client.get(ADD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    svg = qr_svg(body)
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg
    key = shown_key(body)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    device = TotpDevice.objects.get(user=hr_user)
    assert device.confirmed_at is None and key.replace(" ", "") == device.secret
    assert "Google Authenticator" in body and "Microsoft Authenticator" in body
    assert 'name="name"' in body and 'value="Authenticator app"' in body
    assert 'name="code"' in body and 'autocomplete="one-time-code"' in body
    assert "style=" not in body.split("<body", 1)[1]  # CSP forbids style attributes


def test_the_qr_code_carries_the_provisioning_uri(fresh_client, hr_user, tenant):
    body = fresh_client.get(ADD).content.decode()
    device = TotpDevice.objects.get(user=hr_user)
    expected = pyotp.TOTP(device.secret).provisioning_uri(
        name=hr_user.username, issuer_name=tenant.name
    )
    assert expected.startswith("otpauth://totp/Arbodienst%20Demo:hanna.hr?secret=")
    # The image is exactly the QR code of that URI (segno's output is deterministic).
    assert f'src="{qr.svg_image(expected).src}"' in body
    assert f'width="{qr.svg_image(expected).size}"' in body
    # No copy of the otpauth link (with its secret) elsewhere on the page.
    assert "otpauth://" not in body


def test_reloading_the_add_page_keeps_the_same_key(fresh_client, hr_user):
    first = shown_key(fresh_client.get(ADD).content.decode())
    second = shown_key(fresh_client.get(ADD).content.decode())
    assert first == second
    assert TotpDevice.objects.filter(user=hr_user).count() == 1


def test_wrong_first_code_is_refused_and_the_app_stays_unconfirmed(fresh_client, hr_user):
    fresh_client.get(ADD)
    device = TotpDevice.objects.get(user=hr_user)
    response = fresh_client.post(
        ADD, {"setup": device.pk, "code": wrong(code_for(device)), "name": "Phone"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This code is incorrect. Check the time on your phone and try again." in body
    assert shown_key(body).replace(" ", "") == device.secret  # same QR to try again
    device.refresh_from_db()
    assert device.confirmed_at is None
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 0 and not hr_user.is_blocked


def test_right_first_code_adds_the_app(fresh_client, hr_user):
    fresh_client.get(ADD)
    device = TotpDevice.objects.get(user=hr_user)
    response = fresh_client.post(
        ADD, {"setup": device.pk, "code": code_for(device), "name": "Work phone"}, follow=True
    )
    assert response.redirect_chain[0] == (SECURITY, 302)
    body = response.content.decode()
    assert "The authenticator app “Work phone” has been added." in body
    device.refresh_from_db()
    assert device.confirmed_at is not None and device.name == "Work phone"
    assert AuditEvent.objects.filter(event=Event.TOTP_ADDED, subject=hr_user).exists()
    deliver_due()
    mail = OutboxMessage.objects.filter(channel="email", to=hr_user.email).latest("created")
    assert "Authenticator app added" in mail.body
    # The settings page lists the app, with a way to remove it.
    assert "Work phone" in body and remove_url(device) in body
    hr_user.refresh_from_db()
    assert hr_user.preferred_method == "sms"


def test_after_adding_the_app_logs_in(client, fresh_client, hr_user, password, clock):
    fresh_client.get(ADD)
    device = TotpDevice.objects.get(user=hr_user)
    fresh_client.post(ADD, {"setup": device.pk, "code": code_for(device), "name": "Phone"})
    hr_user.preferred_method = "totp"
    hr_user.save()
    clock.shift(STEP)
    other = Client()
    response = other.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response["Location"] == VERIFY
    assert other.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_adding_goes_back_to_a_local_next_only(fresh_client, hr_user):
    fresh_client.get(f"{ADD}?next=/help/")
    device = TotpDevice.objects.get(user=hr_user)
    response = fresh_client.post(
        ADD, {"setup": device.pk, "code": code_for(device), "name": "P", "next": "/help/"}
    )
    assert response["Location"] == "/help/"
    body = fresh_client.get(f"{ADD}?next=https://evil.example/").content.decode()
    assert '<input type="hidden" name="next" value="/settings/security/">' in body
    assert 'href="https://evil.example/"' not in body
    device = TotpDevice.objects.get(user=hr_user, confirmed_at__isnull=True)
    fresh_client.get("/")  # drop the earlier message
    response = fresh_client.post(
        ADD,
        {"setup": device.pk, "code": code_for(device, 1), "name": "Q", "next": "//evil.example/"},
    )
    assert response["Location"] == SECURITY


def test_a_setup_replaced_in_another_tab_asks_to_scan_again(fresh_client, hr_user):
    fresh_client.get(ADD)
    old = TotpDevice.objects.get(user=hr_user)
    old_pk = old.pk
    old.delete()  # as if another tab started anew and this one was left behind
    response = fresh_client.post(
        ADD, {"setup": old_pk, "code": code_for(old), "name": "Phone"}, follow=True
    )
    assert response.redirect_chain[0][0].startswith(ADD)
    assert "This setup was replaced by a newer one" in response.content.decode()
    assert not TotpDevice.objects.filter(user=hr_user, confirmed_at__isnull=False).exists()


def test_add_page_explains_when_the_tenant_does_not_allow_apps(fresh_client, tenant, hr_user):
    tenant.allowed_methods = ["sms", "webauthn"]
    tenant.save()
    response = fresh_client.get(ADD, follow=True)
    assert response.redirect_chain[-1] == (SECURITY, 302)
    assert "Your organisation does not allow authenticator apps." in response.content.decode()
    assert not TotpDevice.objects.exists()


def test_add_page_needs_a_fresh_second_step(fresh_client, hr_user):
    make_stale(fresh_client)
    response = fresh_client.get(ADD)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/verify/again/?next={quote(ADD, safe='')}"
    assert not TotpDevice.objects.exists()


def test_add_page_needs_a_login(client, tenant):
    response = client.get(ADD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- removing an app -------------------------------------------------------------------------


@pytest.fixture
def user_with_app(hr_user, add_app):
    return hr_user, add_app(hr_user, "Old phone")


def test_removing_an_app(client, user_with_app, logged_in_client):
    user, device = user_with_app
    logged_in_client(user)
    TrustedDevice.objects.create(user=user, expires_at=user.date_joined)
    confirm = client.get(remove_url(device)).content.decode()
    assert "After removing “Old phone”" in confirm
    response = client.post(remove_url(device), follow=True)
    assert response.redirect_chain == [(SECURITY, 302)]
    assert "The authenticator app “Old phone” has been removed." in response.content.decode()
    assert not TotpDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(event=Event.TOTP_REMOVED)
    assert event.subject == user and event.data == {"name": "Old phone"}
    assert not TrustedDevice.objects.filter(user=user).exists()


def test_another_users_app_cannot_be_removed(
    client, user_with_app, logged_in_client, manager_user, foreign_user, add_app
):
    user, _own = user_with_app
    colleague_app = add_app(manager_user)
    foreign_app = add_app(foreign_user)
    logged_in_client(user)
    for device in (colleague_app, foreign_app):
        assert client.post(remove_url(device)).status_code == 404
        assert client.get(remove_url(device)).status_code == 404
    assert TotpDevice.objects.filter(pk__in=[colleague_app.pk, foreign_app.pk]).count() == 2
    assert client.post("/accounts/verify/app/999999/remove/").status_code == 404


def test_the_last_factor_cannot_be_removed(client, tenant, clock, add_app):
    """Here the tenant allows apps only, so the app is the one factor that counts."""
    tenant.allowed_methods = ["totp"]
    tenant.save()
    user = UserFactory(tenant=tenant, preferred_method="totp")
    device = add_app(user)
    client.post(
        "/accounts/login/", {"username": user.username, "password": "Correct-horse-battery-9"}
    )
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    security = client.get(SECURITY).content.decode()
    assert "Your only second step" in security
    response = client.post(remove_url(device), follow=True)
    assert "is your only second step, so it cannot be removed" in response.content.decode()
    assert TotpDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(event=Event.TOTP_REMOVED).exists()


def test_removing_needs_a_fresh_second_step(client, user_with_app, logged_in_client):
    user, device = user_with_app
    logged_in_client(user)
    make_stale(client)
    response = client.post(remove_url(device))
    assert response["Location"].startswith("/accounts/verify/again/?next=")
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_remove_needs_a_login(client, user_with_app):
    _user, device = user_with_app
    response = client.post(remove_url(device))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert TotpDevice.objects.filter(pk=device.pk).exists()


# --- re-authenticating with the app ----------------------------------------------------------


def test_reauthentication_with_an_app_code(
    client, user_with_app, logged_in_client, clock, password
):
    user, device = user_with_app
    logged_in_client(user)
    make_stale(client)
    target = client.get(ADD)["Location"]
    assert target.startswith("/accounts/verify/again/")
    confirm_password(client, password, ADD)
    page = client.get(target).content.decode()
    assert 'name="totp-code"' in page
    response = client.post(target, {"action": "totp", "totp-code": code_for(device), "next": ADD})
    assert response.status_code == 302 and response["Location"] == ADD
    assert client.session["mfa_method"] == "totp"
    event = AuditEvent.objects.get(event=Event.REAUTHENTICATED)
    assert event.data == {"method": "totp"}
    assert client.get(ADD).status_code == 200


def test_reauthentication_refuses_a_used_or_wrong_app_code(
    client, user_with_app, logged_in_client, password
):
    user, device = user_with_app
    logged_in_client(user)
    make_stale(client)
    typed = code_for(device)
    again = "/accounts/verify/again/"
    confirm_password(client, password)
    assert client.post(again, {"action": "totp", "totp-code": typed}).status_code == 302
    make_stale(client)
    confirm_password(client, password)
    for code in (typed, wrong(typed)):
        response = client.post(again, {"action": "totp", "totp-code": code})
        assert response.status_code == 200
        assert "This code is incorrect" in response.content.decode()
    user.refresh_from_db()
    assert user.second_step_failures == 2


def test_add_form_errors_keep_the_same_setup(fresh_client, hr_user):
    fresh_client.get(ADD)
    device = TotpDevice.objects.get(user=hr_user)
    response = fresh_client.post(ADD, {"setup": "not-a-number", "code": "12", "name": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The code has 6 digits." in body and "This field is required." in body
    assert shown_key(body).replace(" ", "") == device.secret
    device.refresh_from_db()
    assert device.confirmed_at is None


def test_app_page_without_any_usable_method_goes_back_to_login(
    client, tenant, hr_user, login_password_step, clock
):
    login_password_step(hr_user)
    tenant.allowed_methods = ["totp"]  # and Hanna has no app
    tenant.save()
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
