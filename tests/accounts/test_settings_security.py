"""Instellingen → Beveiliging: password, phone, default method, sessions, trusted browsers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import confirm_password, last_sms_code
from verzuim.accounts.models import TrustedDevice, UserSession
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.trust import COOKIE

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Een-lange-zin-als-wachtwoord-2026"


def make_stale(client):
    session = client.session
    session["mfa_at"] = 0
    session.save()


def security_emails(user):
    deliver_due()
    return OutboxMessage.objects.filter(
        channel="email", to=user.email, subject__contains="Security change"
    )


def second_client(user, password):
    other = Client()
    other.post("/accounts/login/", {"username": user.username, "password": password})
    other.post("/accounts/verify/sms/", {"code": last_sms_code(user.phone)})
    assert other.get("/").status_code == 200
    return other


def test_overview_needs_login(client, tenant):
    response = client.get("/settings/security/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_overview_lists_phone_sessions_and_events(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    body = client.get("/settings/security/").content.decode()
    assert f"•{hr_user.phone[-2:]}" in body
    assert "This browser" in body
    assert "Logged in" in body  # the login event
    assert client.session.session_key not in body  # session keys are never shown


# --- re-authentication --------------------------------------------------------------------


def test_changes_need_a_recent_second_factor(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    make_stale(client)
    response = client.get("/settings/security/password/")
    assert response.status_code == 302
    assert (
        response["Location"] == "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2Fpassword%2F"
    )


def test_reauthenticate_with_sms_then_continue(client, hr_user, logged_in_client, password):
    logged_in_client(hr_user)
    make_stale(client)
    url = "/accounts/verify/again/?next=/settings/security/password/"
    confirm_password(client, password, "/settings/security/password/")
    client.post(url, {"action": "sms-send"})
    wrong = client.post(url, {"action": "sms", "sms-code": "000000"})
    assert "incorrect" in wrong.content.decode() or "no longer valid" in wrong.content.decode()
    response = client.post(url, {"action": "sms", "sms-code": last_sms_code(hr_user.phone)})
    assert response.status_code == 302 and response["Location"] == "/settings/security/password/"
    assert client.get("/settings/security/password/").status_code == 200
    assert AuditEvent.objects.filter(event=Event.REAUTHENTICATED, subject=hr_user).exists()


def test_reauthenticate_with_backup_code(client, hr_user, logged_in_client, password):
    from verzuim.mfa.backup_codes.actions import generate_backup_codes

    codes = generate_backup_codes(hr_user)
    logged_in_client(hr_user)
    make_stale(client)
    confirm_password(client, password)
    response = client.post(
        "/accounts/verify/again/?next=/settings/security/phone/",
        {"action": "backup", "backup-code": codes[0]},
    )
    assert response["Location"] == "/settings/security/phone/"


def test_reauth_next_cannot_leave_the_portal(client, hr_user, logged_in_client, password):
    logged_in_client(hr_user)
    confirm_password(client, password)
    client.post("/accounts/verify/again/?next=https://evil.example/", {"action": "sms-send"})
    response = client.post(
        "/accounts/verify/again/?next=https://evil.example/",
        {"action": "sms", "sms-code": last_sms_code(hr_user.phone)},
    )
    assert response["Location"] == "/settings/security/"


# --- password -----------------------------------------------------------------------------


def test_change_password_ends_other_sessions_and_notifies(
    client, hr_user, logged_in_client, password
):
    logged_in_client(hr_user)
    other = second_client(hr_user, password)
    response = client.post(
        "/settings/security/password/",
        {
            "current_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one ended
    hr_user.refresh_from_db()
    assert hr_user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(event=Event.PASSWORD_CHANGED, subject=hr_user).exists()
    assert security_emails(hr_user).filter(body__contains="Password changed").exists()


@pytest.mark.parametrize(
    "current, new1, new2, error",
    [
        ("wrong-current", NEW_PASSWORD, NEW_PASSWORD, "current password is not correct"),
        (None, "kort", "kort", "too short"),
        (None, "password123", "password123", "too common"),
        (None, NEW_PASSWORD, NEW_PASSWORD + "x", "not the same"),
    ],
)
def test_change_password_refusals(
    client, hr_user, logged_in_client, password, current, new1, new2, error
):
    logged_in_client(hr_user)
    response = client.post(
        "/settings/security/password/",
        {"current_password": current or password, "new_password1": new1, "new_password2": new2},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    hr_user.refresh_from_db()
    assert hr_user.check_password(password)


def test_long_passwords_are_accepted(client, hr_user, logged_in_client, password):
    logged_in_client(hr_user)
    long_password = "lang wachtwoord met spaties " * 5  # 140 characters
    response = client.post(
        "/settings/security/password/",
        {
            "current_password": password,
            "new_password1": long_password,
            "new_password2": long_password,
        },
    )
    assert response.status_code == 302


# --- phone --------------------------------------------------------------------------------

NEW_PHONE = "+31687654321"


def test_change_phone_confirms_the_new_number_and_warns_the_old(client, hr_user, logged_in_client):
    old_phone = hr_user.phone
    logged_in_client(hr_user)
    client.post("/settings/security/phone/", {"action": "number", "phone": "06 8765 4321"})
    page = client.get("/settings/security/phone/").content.decode()
    assert "•21" in page
    hr_user.refresh_from_db()
    assert hr_user.phone == old_phone  # nothing changes before the code
    code = last_sms_code(NEW_PHONE)
    wrong = client.post(
        "/settings/security/phone/", {"action": "code", "code": f"{(int(code) + 1) % 10**6:06d}"}
    )
    assert "incorrect" in wrong.content.decode()
    response = client.post("/settings/security/phone/", {"action": "code", "code": code})
    assert response["Location"] == "/settings/security/"
    hr_user.refresh_from_db()
    assert hr_user.phone == NEW_PHONE
    deliver_due()
    warning = OutboxMessage.objects.filter(channel="sms", to=old_phone).order_by("-created").first()
    assert "has just been changed" in warning.body
    assert security_emails(hr_user).filter(body__contains="Mobile number changed").exists()
    assert AuditEvent.objects.filter(event=Event.PHONE_CHANGED, subject=hr_user).exists()


@pytest.mark.parametrize(
    "phone, error",
    [
        ("020 123 4567", "not a mobile number"),
        ("12345", "does not exist"),
    ],
)
def test_change_phone_refuses_bad_numbers(client, hr_user, logged_in_client, phone, error):
    logged_in_client(hr_user)
    response = client.post("/settings/security/phone/", {"action": "number", "phone": phone})
    assert error in response.content.decode()


def test_change_phone_refuses_the_same_number(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.post(
        "/settings/security/phone/", {"action": "number", "phone": hr_user.phone}
    )
    assert "already your mobile number" in response.content.decode()


def test_change_phone_can_be_cancelled(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    client.post("/settings/security/phone/", {"action": "number", "phone": NEW_PHONE})
    client.post("/settings/security/phone/", {"action": "cancel"})
    assert "phone_change" not in client.session
    hr_user.refresh_from_db()
    assert hr_user.phone != NEW_PHONE


# --- default method -----------------------------------------------------------------------


def test_default_method_must_be_one_the_user_has(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.post("/settings/security/default-method/", {"method": "totp"}, follow=True)
    assert "not set up for your account" in response.content.decode()
    hr_user.refresh_from_db()
    assert hr_user.preferred_method == "sms"


# --- sessions -----------------------------------------------------------------------------


def test_end_one_other_session(client, hr_user, logged_in_client, password):
    from verzuim.accounts.security_actions import session_handle

    logged_in_client(hr_user)
    other = second_client(hr_user, password)
    handle = session_handle(other.session.session_key)
    assert handle in client.get("/settings/security/").content.decode()
    client.post("/settings/security/sessions/end/", {"session": handle})
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(event=Event.SESSION_ENDED).exists()


def test_cannot_end_other_users_sessions_or_the_current_one(
    client, tenant, hr_user, logged_in_client, password
):
    from tests.factories import UserFactory
    from verzuim.accounts.security_actions import session_handle

    colleague = UserFactory(tenant=tenant, username="collega")
    colleague_client = second_client(colleague, password)
    logged_in_client(hr_user)
    for handle in (
        session_handle(colleague_client.session.session_key),
        session_handle(client.session.session_key),
    ):
        response = client.post("/settings/security/sessions/end/", {"session": handle}, follow=True)
        assert "already ended" in response.content.decode()
    assert colleague_client.get("/").status_code == 200
    assert client.get("/").status_code == 200


def test_end_all_other_sessions(client, hr_user, logged_in_client, password):
    logged_in_client(hr_user)
    others = [second_client(hr_user, password) for _ in range(2)]
    client.post("/settings/security/sessions/end-others/")
    assert all(o.get("/").status_code == 302 for o in others)
    assert UserSession.objects.filter(user=hr_user).count() == 1


# --- trusted browsers ---------------------------------------------------------------------


@pytest.fixture
def trusting_tenant(tenant):
    tenant.trusted_device_days = 30
    tenant.save()
    return tenant


def login_trusting(client, user, password):
    client.post("/accounts/login/", {"username": user.username, "password": password})
    return client.post(
        "/accounts/verify/sms/", {"code": last_sms_code(user.phone), "trust_device": "1"}
    )


def test_trust_checkbox_only_when_the_policy_allows(client, tenant, hr_user, login_password_step):
    login_password_step(hr_user)
    assert "trust_device" not in client.get("/accounts/verify/sms/").content.decode()
    tenant.trusted_device_days = 14
    tenant.save()
    assert "Trust this browser for 14 days" in client.get("/accounts/verify/sms/").content.decode()


def test_trusted_browser_skips_only_the_second_step(client, trusting_tenant, hr_user, password):
    response = login_trusting(client, hr_user, password)
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 30 * 86400
    assert cookie["samesite"] == "Lax" and cookie["path"] == "/" and not cookie["domain"]
    client.post("/accounts/logout/")
    sms_before = OutboxMessage.objects.filter(channel="sms").count()
    wrong = client.post("/accounts/login/", {"username": hr_user.username, "password": "nope"})
    assert wrong.status_code == 200  # the password is still required
    response = client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response["Location"] == "/"
    deliver_due()
    assert OutboxMessage.objects.filter(channel="sms").count() == sms_before
    assert AuditEvent.objects.filter(event=Event.TRUSTED_DEVICE_USED).exists()
    body = client.get("/settings/security/").content.decode()
    assert "Trusted browsers" in body


def test_trust_cookie_is_bound_to_its_user(client, trusting_tenant, hr_user, password):
    from tests.factories import UserFactory

    response = login_trusting(client, hr_user, password)
    colleague = UserFactory(tenant=trusting_tenant, username="collega")
    thief = Client()
    thief.cookies[COOKIE] = response.cookies[COOKIE].value
    second = thief.post("/accounts/login/", {"username": colleague.username, "password": password})
    assert second["Location"] == "/accounts/verify/sms/"


def test_password_change_revokes_trusted_browsers(client, trusting_tenant, hr_user, password):
    login_trusting(client, hr_user, password)
    assert TrustedDevice.objects.filter(user=hr_user).count() == 1
    client.post(
        "/settings/security/password/",
        {
            "current_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert TrustedDevice.objects.filter(user=hr_user).count() == 0
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"username": hr_user.username, "password": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/verify/sms/"


def test_user_can_stop_trusting_browsers(client, trusting_tenant, hr_user, password):
    login_trusting(client, hr_user, password)
    client.post("/settings/security/trusted/revoke/")
    assert not TrustedDevice.objects.filter(user=hr_user).exists()
    assert AuditEvent.objects.filter(event=Event.TRUSTED_DEVICES_REVOKED).exists()


def test_trusted_login_still_needs_a_fresh_factor_for_changes(
    client, trusting_tenant, hr_user, password
):
    login_trusting(client, hr_user, password)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    response = client.get("/settings/security/password/")
    assert response["Location"].startswith("/accounts/verify/again/")


def test_policy_switched_off_ignores_existing_cookies(client, trusting_tenant, hr_user, password):
    login_trusting(client, hr_user, password)
    client.post("/accounts/logout/")
    trusting_tenant.trusted_device_days = 0
    trusting_tenant.save()
    response = client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response["Location"] == "/accounts/verify/sms/"


def test_only_a_few_new_numbers_per_day_can_be_tried(client, hr_user, logged_in_client, settings):
    logged_in_client(hr_user)
    numbers = ["+31687654321", "+31687654322", "+31687654323", "+31687654324"]
    for phone in numbers:
        client.post("/settings/security/phone/", {"action": "cancel"})
        response = client.post(
            "/settings/security/phone/", {"action": "number", "phone": phone}, follow=True
        )
    deliver_due()
    sent_to = set(OutboxMessage.objects.filter(channel="sms").values_list("to", flat=True))
    assert set(numbers[:3]) <= sent_to and numbers[3] not in sent_to
    assert "No more codes can be sent" in response.content.decode()


def test_numbers_from_other_countries_are_refused(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.post(
        "/settings/security/phone/", {"action": "number", "phone": "+33 6 12 34 56 78"}
    )
    assert "from this country cannot be used" in response.content.decode()
    assert not OutboxMessage.objects.filter(to="+33612345678").exists()


def test_admin_password_change_goes_through_the_portal_page(
    client, tenant, support_user, logged_in_client, password
):
    logged_in_client(support_user)
    response = client.post(
        "/beheer/password_change/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/security/password/"
    support_user.refresh_from_db()
    assert support_user.check_password(password)


def test_post_without_fresh_factor_returns_to_the_overview_afterwards(
    client, hr_user, logged_in_client
):
    logged_in_client(hr_user)
    make_stale(client)
    response = client.post("/settings/security/default-method/", {"method": "sms"})
    assert response["Location"] == "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2F"


def test_logout_everywhere_also_stops_trusting_browsers(client, trusting_tenant, hr_user, password):
    login_trusting(client, hr_user, password)
    client.post("/accounts/logout/everywhere/")
    assert not TrustedDevice.objects.filter(user=hr_user).exists()
    response = client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response["Location"] == "/accounts/verify/sms/"


def test_support_admin_shows_no_other_tenants(
    client, tenant, support_user, foreign_user, logged_in_client
):
    logged_in_client(support_user)
    body = client.get("/beheer/accounts/user/").content.decode()
    assert foreign_user.tenant.name not in body


def test_reauthentication_gives_a_new_session_key(client, hr_user, logged_in_client, password):
    """The raised privilege comes with a new session id (ASVS 7.2.4); the old id is dead."""
    logged_in_client(hr_user)
    make_stale(client)
    confirm_password(client, password)
    before = client.cookies["verzuim_session"].value
    url = "/accounts/verify/again/?next=/settings/security/password/"
    client.post(url, {"action": "sms-send"})
    client.post(url, {"action": "sms", "sms-code": last_sms_code(hr_user.phone)})
    after = client.cookies["verzuim_session"].value
    assert after != before
    assert client.get("/settings/security/password/").status_code == 200
    stale = Client()
    stale.cookies["verzuim_session"] = before
    assert stale.get("/settings/security/").status_code == 302  # to the login page


def test_language_cookie_has_the_same_flags_as_the_others(client, tenant):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


# --- full re-authentication: the password first, then a second factor (ASVS V7.5.1) ----------


def test_reauthentication_asks_the_password_before_any_second_factor(
    client, hr_user, logged_in_client
):
    from verzuim.mfa.backup_codes.actions import generate_backup_codes

    codes = generate_backup_codes(hr_user)
    logged_in_client(hr_user)
    make_stale(client)
    url = "/accounts/verify/again/?next=/settings/security/phone/"
    page = client.get(url).content.decode()
    assert 'name="password"' in page and 'name="backup-code"' not in page
    sent_before = OutboxMessage.objects.count()
    client.post(url, {"action": "sms-send"})
    response = client.post(url, {"action": "backup", "backup-code": codes[0]})
    assert response.status_code == 200 and 'name="password"' in response.content.decode()
    assert OutboxMessage.objects.count() == sent_before  # no SMS before the password
    assert not AuditEvent.objects.filter(event=Event.REAUTHENTICATED).exists()
    assert client.get("/settings/security/phone/").status_code == 302


def test_a_wrong_password_at_reauthentication_is_refused_and_throttled(
    client, hr_user, logged_in_client, password
):
    logged_in_client(hr_user)
    make_stale(client)
    url = "/accounts/verify/again/"
    wrong = client.post(url, {"action": "password", "password": password + "x"})
    assert wrong.status_code == 200 and "This password is incorrect." in wrong.content.decode()
    assert "Step 2 of 2" not in wrong.content.decode()
    assert AuditEvent.objects.filter(event=Event.LOGIN_PASSWORD_FAILED).exists()
    statuses = [
        client.post(url, {"action": "password", "password": f"{password}{n}"}).status_code
        for n in range(12)
    ]
    assert 429 in statuses  # the login throttle of this login name applies here too


def test_the_password_step_expires_like_a_pending_login(
    client, hr_user, logged_in_client, password, settings
):
    logged_in_client(hr_user)
    make_stale(client)
    confirm_password(client, password)
    session = client.session
    session["reauth_password_at"] -= settings.PENDING_LOGIN_SECONDS + 1
    session.save()
    page = client.get("/accounts/verify/again/").content.decode()
    assert 'name="password"' in page and "Step 2 of 2" not in page


def test_ending_sessions_needs_a_fresh_full_authentication(
    client, hr_user, logged_in_client, password
):
    """ASVS V7.5.2: someone who merely holds a session cannot throw the owner out."""
    from verzuim.accounts.security_actions import session_handle

    logged_in_client(hr_user)
    other = second_client(hr_user, password)
    make_stale(client)
    handle = session_handle(other.session.session_key)
    for url, data in (("/settings/security/sessions/end/", {"session": handle}),
                      ("/settings/security/sessions/end-others/", {})):
        response = client.post(url, data)
        assert response["Location"] == "/accounts/verify/again/?next=%2Fsettings%2Fsecurity%2F"
    assert other.get("/").status_code == 200
    assert not AuditEvent.objects.filter(event=Event.SESSION_ENDED).exists()
