"""The session life cycle from an attacker's seat: every old cookie must be worthless.

The session key changes at the password step, at the second step, at re-authentication and
at logout; idle and absolute limits end a session at exactly the tenant's limits; logging
out (here or everywhere), a password reset or change, and support's actions end sessions on
the server, so a copied cookie gets the login page. Factor changes have their own group at
the end.
"""

from __future__ import annotations

import json

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.recovery.conftest import newest_reset_path
from tests.conftest import confirm_password, last_sms_code
from tests.factories import PASSWORD, UserFactory
from tests.mfa.webauthn.conftest import ORIGIN as WEBAUTHN_ORIGIN
from tests.mfa.webauthn.conftest import add_key
from tests.mfa.webauthn.soft_key import SoftKey
from tests.security.replay_support import (
    client_with_cookie,
    fresh_login,
    is_logged_in,
    sends_to_login,
    session_cookie,
)
from verzuim.accounts.models import UserSession
from verzuim.accounts.sessions import SessionStore
from verzuim.audit.models import AuditEvent, Event
from verzuim.mfa.backup_codes import rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential

pytestmark = pytest.mark.django_db

SMS_STEP = "/accounts/verify/sms/"
REAUTH = "/accounts/verify/again/?next=/settings/security/password/"
NEW_PASSWORD = "Een-lange-zin-als-wachtwoord-2026"
REASON = "Caller identified by date of birth and employer"


def alive(key: str) -> bool:
    """The session row behind a key still exists on the server."""
    return UserSession.objects.filter(session_key=key).exists()


def dead(cookie: str) -> bool:
    """Replaying the cookie in a fresh browser gets the login page, and the row is gone."""
    return sends_to_login(client_with_cookie(cookie).get("/")) and not alive(cookie)


def password_step(client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def full_login(client, user) -> Client:
    password_step(client, user)
    response = client.post(SMS_STEP, {"code": last_sms_code(user.phone)})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def make_stale(client) -> None:
    session = client.session
    session["mfa_at"] = 0
    session.save()


# --- the key changes with every step up or down ------------------------------------------------


def test_a_session_key_planted_before_the_login_is_worthless_after_it(client, hr_user):
    """Session fixation: the attacker makes a session and gets its cookie into the victim's
    browser; the password step replaces it and the login never lands under the attacker's key."""
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    password_step(client, hr_user)
    assert session_cookie(client) != planted.session_key
    assert not alive(planted.session_key)
    client.post(SMS_STEP, {"code": last_sms_code(hr_user.phone)})
    assert is_logged_in(client)
    assert dead(planted.session_key)


def test_the_second_step_gives_a_new_key_and_the_half_way_cookie_is_worthless(client, hr_user):
    password_step(client, hr_user)
    half_way = session_cookie(client)
    code = last_sms_code(hr_user.phone)
    assert client.post(SMS_STEP, {"code": code})["Location"] == "/"
    assert session_cookie(client) != half_way
    assert dead(half_way)
    # Nor can the half-way cookie finish a login of its own with the code.
    thief = client_with_cookie(half_way)
    assert sends_to_login(thief.post(SMS_STEP, {"code": code}))
    assert UserSession.objects.filter(user=hr_user).count() == 1


@pytest.mark.parametrize("method", ["sms", "backup"])
def test_re_authentication_gives_a_new_key_and_the_old_one_is_worthless(
    client, hr_user, method
):
    fresh_login(client, hr_user)
    make_stale(client)
    before = session_cookie(client)
    confirm_password(client, PASSWORD, "/settings/security/password/")
    if method == "sms":
        client.post(REAUTH, {"action": "sms-send"})
        post = {"action": "sms", "sms-code": last_sms_code(hr_user.phone)}
    else:
        post = {"action": "backup", "backup-code": generate_backup_codes(hr_user)[0]}
    response = client.post(REAUTH, post)
    assert response.status_code == 302
    assert response["Location"] == "/settings/security/password/"
    assert session_cookie(client) != before
    assert dead(before)
    assert client.get("/settings/security/password/").status_code == 200  # fresh now
    assert AuditEvent.objects.filter(event=Event.REAUTHENTICATED, subject=hr_user).count() == 1


def test_logout_is_post_only_and_kills_the_key_on_the_server(client, hr_user):
    fresh_login(client, hr_user)
    key = session_cookie(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)  # a GET (a link or image elsewhere) logs nobody out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert dead(key)
    assert not is_logged_in(client)


# --- idle and absolute limits ---------------------------------------------------------------


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    return time_machine


def tighten(tenant, **limits):
    for field, value in limits.items():
        setattr(tenant, field, value)
    tenant.save()


@pytest.mark.parametrize("idle_minutes", [None, 5], ids=["tenant-default", "tenant-5-minutes"])
@pytest.mark.parametrize(
    "offset, stays", [(-1, True), (0, True), (1, False)], ids=["1s-before", "at-it", "1s-after"]
)
def test_an_idle_session_ends_exactly_after_the_tenants_idle_limit(
    client, tenant, hr_user, frozen, idle_minutes, offset, stays
):
    if idle_minutes:
        tighten(tenant, session_idle_minutes=idle_minutes)
    idle = tenant.session_idle_minutes * 60
    fresh_login(client, hr_user)
    key = session_cookie(client)
    frozen.shift(idle + offset)
    response = client.get("/")
    if stays:
        assert response.status_code == 200
        return
    assert sends_to_login(response)
    assert dead(key)
    page = client.get(response["Location"]).content.decode()
    assert "Your session has ended because you were inactive for a while" in page
    event = AuditEvent.objects.get(event=Event.SESSION_EXPIRED, subject=hr_user)
    assert event.data == {"idle": True}


@pytest.mark.parametrize("absolute_hours", [None, 1], ids=["tenant-default", "tenant-1-hour"])
@pytest.mark.parametrize(
    "offset, stays", [(-1, True), (0, True), (1, False)], ids=["1s-before", "at-it", "1s-after"]
)
def test_an_active_session_ends_exactly_at_the_tenants_absolute_limit(
    client, tenant, hr_user, frozen, absolute_hours, offset, stays
):
    if absolute_hours:
        tighten(tenant, session_absolute_hours=absolute_hours)
    absolute = tenant.session_absolute_hours * 3600
    step = tenant.session_idle_minutes * 60 - 60  # busy: never idle for long
    fresh_login(client, hr_user)
    key = session_cookie(client)
    elapsed = 0
    while elapsed + step < absolute + offset:
        frozen.shift(step)
        elapsed += step
        assert client.get("/").status_code == 200, elapsed
    frozen.shift(absolute + offset - elapsed)
    response = client.get("/")
    if stays:
        assert response.status_code == 200
        return
    assert sends_to_login(response)
    assert dead(key)
    hours = tenant.session_absolute_hours
    page = client.get(response["Location"]).content.decode()
    assert f"a session lasts at most {hours} hour" in page
    event = AuditEvent.objects.get(event=Event.SESSION_EXPIRED, subject=hr_user)
    assert event.data == {"idle": False}


# --- ending sessions on the server -----------------------------------------------------------


@pytest.fixture
def two_sessions(hr_user):
    """Hanna logged in on her laptop and her phone."""
    return fresh_login(Client(), hr_user), fresh_login(Client(), hr_user)


@pytest.fixture
def bystander(tenant):
    """A colleague who is logged in too and must be left alone."""
    user = UserFactory(tenant=tenant, username="collega")
    return fresh_login(Client(), user)


def test_logout_everywhere_ends_every_session_of_this_user_only(two_sessions, bystander):
    laptop, phone = two_sessions
    keys = [session_cookie(laptop), session_cookie(phone)]
    assert laptop.get("/accounts/logout/everywhere/").status_code == 405
    assert is_logged_in(phone)
    assert laptop.post("/accounts/logout/everywhere/")["Location"] == "/accounts/login/"
    assert all(dead(key) for key in keys)
    assert is_logged_in(bystander)


def test_a_password_reset_ends_every_session_of_the_user_only(hr_user, two_sessions, bystander):
    keys = [session_cookie(c) for c in two_sessions]
    stranger = Client()  # the forgot-password flow, from yet another browser
    stranger.post("/recover/password/", {"username": hr_user.username})
    stranger.get(newest_reset_path(hr_user))
    response = stranger.post(
        "/recover/password/new/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/login/"
    assert all(dead(key) for key in keys)
    assert not UserSession.objects.filter(user=hr_user).exists()
    assert "_auth_user_id" not in stranger.session  # the reset logs nobody in
    assert is_logged_in(bystander)


def test_a_password_change_ends_the_other_sessions_and_renews_the_current_key(
    hr_user, two_sessions, bystander
):
    current, other = two_sessions
    current_key, other_key = session_cookie(current), session_cookie(other)
    response = current.post(
        "/settings/security/password/",
        {"current_password": PASSWORD, "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/settings/security/"
    assert "1 other session was ended" in current.get(response["Location"]).content.decode()
    assert dead(other_key)
    # The session that made the change stays logged in, under a new key.
    assert is_logged_in(current)
    assert session_cookie(current) != current_key
    assert dead(current_key)
    assert is_logged_in(bystander)


@pytest.mark.parametrize(
    "action, post",
    [
        ("sessions", {"sessions-reason": REASON}),
        ("deactivate", {"deactivate-reason": REASON}),
        ("phone", {"phone-phone": "06 87654321", "phone-reason": REASON}),
        ("factors", {"factors-reason": REASON}),
    ],
    ids=["end-sessions", "deactivate", "reset-phone", "reset-factors"],
)
def test_support_ending_sessions_deactivating_or_resetting_kills_the_users_sessions(
    hr_user, support_user, two_sessions, bystander, action, post
):
    keys = [session_cookie(c) for c in two_sessions]
    desk = fresh_login(Client(), support_user)
    response = desk.post(f"/support/users/{hr_user.pk}/{action}/", post)
    assert response.status_code == 302
    assert response["Location"] == f"/support/users/{hr_user.pk}/"
    assert all(dead(key) for key in keys)
    assert is_logged_in(bystander)
    assert desk.get("/support/").status_code == 200  # the desk's own session is untouched


def test_a_block_after_wrong_codes_ends_the_owners_sessions(
    tenant, hr_user, two_sessions, bystander
):
    """Someone with the password guesses second-step codes: the block that follows also
    throws that person's possible earlier sessions, and the owner's, off the account."""
    tighten(tenant, second_step_block_threshold=3)
    keys = [session_cookie(c) for c in two_sessions]
    guesser = Client()
    password_step(guesser, hr_user)
    wrong = f"{(int(last_sms_code(hr_user.phone)) + 1) % 10**6:06d}"
    statuses = [guesser.post(SMS_STEP, {"code": wrong}).status_code for _ in range(3)]
    assert statuses == [200, 200, 403]  # the third failure blocks
    hr_user.refresh_from_db()
    assert hr_user.is_blocked
    assert all(dead(key) for key in keys)
    assert is_logged_in(bystander)


# --- factor changes end the other sessions ---------------------------------------------------
#
# A change of second factors (like a password change) ends the user's other sessions:
# whoever holds one, perhaps the attacker the user is locking out, must log in again with
# the new factors. The session that made the change stays (verzuim/mfa/changes.py).


def add_app_through_the_page(client) -> None:
    page = client.get("/accounts/verify/app/add/")
    assert page.status_code == 200
    device = TotpDevice.objects.get(confirmed_at__isnull=True)
    response = client.post(
        "/accounts/verify/app/add/",
        {"setup": device.pk, "code": pyotp.TOTP(device.secret).now(), "name": "Werk"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TotpDevice.objects.filter(pk=device.pk, confirmed_at__isnull=False).exists()


def add_key_through_the_endpoints(client) -> None:
    def post_json(url, data):
        return client.post(url, data=json.dumps(data), content_type="application/json")

    options = post_json("/accounts/verify/key/add/options/", {})
    assert options.status_code == 200, options.content
    credential = SoftKey().register(options.json(), WEBAUTHN_ORIGIN)
    reply = post_json(
        "/accounts/verify/key/add/verify/", {"name": "Sleutel", "credential": credential}
    )
    assert reply.status_code == 200, reply.content
    assert WebAuthnCredential.objects.filter(name="Sleutel").exists()


def remove_app(client) -> None:
    device = TotpDevice.objects.get()
    assert client.post(f"/accounts/verify/app/{device.pk}/remove/").status_code == 302
    assert not TotpDevice.objects.exists()


def remove_key(client) -> None:
    credential = WebAuthnCredential.objects.get()
    assert client.post(f"/accounts/verify/key/{credential.pk}/remove/").status_code == 302
    assert not WebAuthnCredential.objects.exists()


def change_phone(client) -> None:
    client.post("/settings/security/phone/", {"action": "number", "phone": "06 87654321"})
    response = client.post(
        "/settings/security/phone/", {"action": "code", "code": last_sms_code("+31687654321")}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/security/"


def new_backup_codes(client) -> None:
    response = client.post("/accounts/verify/backup-codes/new/", {"generate": "1"})
    assert response.status_code == 200
    assert BackupCode.objects.count() == rules.CODES_PER_SET  # shown once on this page
    assert AuditEvent.objects.filter(event=Event.BACKUP_CODES_GENERATED).exists()


def with_app(user) -> None:
    device = start_totp_setup(user)
    confirm_totp_device(device, pyotp.TOTP(device.secret).now(), name="Oud")


def with_key(user) -> None:
    add_key(user)


@pytest.mark.parametrize(
    "before, change",
    [
        (None, add_app_through_the_page),
        (with_app, remove_app),
        (None, add_key_through_the_endpoints),
        (with_key, remove_key),
        (None, change_phone),
        (None, new_backup_codes),
    ],
    ids=["add-app", "remove-app", "add-key", "remove-key", "change-phone", "new-backup-codes"],
)
def test_a_factor_change_ends_the_other_sessions_and_keeps_this_one(
    hr_user, bystander, before, change
):
    if before:
        before(hr_user)  # set up before anyone logs in
    current, other = fresh_login(Client(), hr_user), fresh_login(Client(), hr_user)
    other_key = session_cookie(other)
    change(current)
    assert is_logged_in(current)
    assert is_logged_in(bystander)
    assert dead(other_key)

