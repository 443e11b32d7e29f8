"""One-time values replayed concurrently through the views, the way an attacker would.

Eight browsers (separate test clients, each in its own thread with its own database
connection) are released by a barrier at the same moment and all submit the same valid
one-time value: an SMS code, an authenticator-app code, a backup code, a password-reset link
and an activation link. Exactly one may win; the others get the refusal a late replay gets,
and the audit log shows one success. The action-level races already exist (tests/mfa/...);
these go through the whole request stack.

The races need PostgreSQL: SQLite has a single writer, so its "concurrent" transactions
run one after the other and prove nothing. The last group (both lanes) checks the guard the
two link races needed: the link is checked again on the locked account row.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.activation.conftest import newest_link_path
from tests.accounts.recovery.conftest import newest_reset_path
from tests.conftest import is_postgres, last_sms_code
from tests.factories import PASSWORD, UserFactory
from tests.mfa.totp.conftest import STEP, T0, code_for
from tests.security.replay_support import (
    client_with_cookie,
    is_logged_in,
    race,
    sends_to_login,
    session_cookie,
)
from verzuim.accounts.actions import create_user
from verzuim.accounts.activation import actions as activation_actions
from verzuim.accounts.activation.actions import set_initial_password
from verzuim.accounts.activation.tokens import activation_token
from verzuim.accounts.models import SecondFactor, User, UserSession
from verzuim.accounts.recovery import actions as recovery_actions
from verzuim.accounts.recovery.actions import reset_password
from verzuim.accounts.recovery.tokens import reset_token
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.request import SYSTEM
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.sms.models import SmsChallenge
from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup

RACERS = 8
HOME = "/"
SMS_STEP = "/accounts/verify/sms/"
APP_STEP = "/accounts/verify/app/"


@pytest.fixture
def postgres_only():
    if not is_postgres():
        pytest.skip(
            "needs PostgreSQL: SQLite has one writer, so racing transactions would run one "
            "after the other (run with DATABASE_URL=postgres://..., as .ci/run does)"
        )


def racing(test):
    """Real concurrent transactions (each thread commits on its own connection)."""
    return pytest.mark.django_db(transaction=True)(pytest.mark.usefixtures("postgres_only")(test))


def audited(event: str, user) -> int:
    return AuditEvent.objects.filter(event=event, subject=user).count()


def password_step(client, user) -> str:
    """The browser's own password step; returns where the second step is asked."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def logged_in_sessions(user) -> int:
    return UserSession.objects.filter(user=user).count()


# --- second factors at the login ------------------------------------------------------------


@racing
def test_one_sms_code_replayed_in_parallel_logs_in_only_once(tenant, hr_user):
    """An SMS code is bound to the login attempt it was sent for (a code of another attempt
    is refused), so the replay is eight browsers sending that attempt's session cookie and
    code at the same moment."""
    owner = Client()
    assert password_step(owner, hr_user) == "/accounts/verify/sms/"
    cookie, code = session_cookie(owner), last_sms_code(hr_user.phone)
    browsers = [client_with_cookie(cookie) for _ in range(RACERS)]

    responses = race([lambda b=b: b.post(SMS_STEP, {"code": code}) for b in browsers])

    ok = [r.status_code == 302 and r["Location"] == HOME for r in responses]
    assert ok.count(True) == 1, [(r.status_code, r.get("Location")) for r in responses]
    for response, won in zip(responses, ok, strict=True):
        if won:
            continue
        # Either the code was already used, or the pending login (the session the winner
        # turned into a logged-in one under a new key) was already gone.
        if response.status_code == 200:
            assert "This code is no longer valid" in response.content.decode()
        else:
            assert sends_to_login(response), (response.status_code, response.get("Location"))
    assert logged_in_sessions(hr_user) == 1
    assert audited(Event.SECOND_FACTOR_OK, hr_user) == 1
    assert audited(Event.LOGIN_SUCCEEDED, hr_user) == 1
    assert SmsChallenge.objects.filter(user=hr_user, used_at__isnull=False).count() == 1
    # The replayed cookie itself is worthless afterwards: the login rotated the key.
    assert not is_logged_in(client_with_cookie(cookie))


@pytest.fixture
def app_user(tenant, time_machine):
    """A user whose default second step is an authenticator app, under a frozen clock."""
    time_machine.move_to(T0, tick=False)
    user = UserFactory(tenant=tenant, preferred_method=SecondFactor.TOTP)
    device = start_totp_setup(user)
    confirm_totp_device(device, code_for(device), name="Phone")
    time_machine.shift(STEP)  # the confirming code's step is used up
    user.device = device
    return user


@racing
def test_one_app_code_replayed_by_eight_pending_logins_logs_in_only_once(app_user):
    browsers = [Client() for _ in range(RACERS)]
    for browser in browsers:
        assert password_step(browser, app_user) == "/accounts/verify/app/"
    code = code_for(app_user.device)

    responses = race([lambda b=b: b.post(APP_STEP, {"code": code}) for b in browsers])

    ok = [r.status_code == 302 and r["Location"] == HOME for r in responses]
    assert ok.count(True) == 1, [(r.status_code, r.get("Location")) for r in responses]
    for response, won in zip(responses, ok, strict=True):
        if not won:
            assert response.status_code == 200
            assert "This code is incorrect" in response.content.decode()
    assert [is_logged_in(b) for b in browsers] == ok
    assert logged_in_sessions(app_user) == 1
    assert audited(Event.SECOND_FACTOR_OK, app_user) == 1
    assert audited(Event.LOGIN_SUCCEEDED, app_user) == 1


@racing
def test_one_backup_code_replayed_by_eight_pending_logins_logs_in_only_once(hr_user):
    code = generate_backup_codes(hr_user)[0]
    browsers = [Client() for _ in range(RACERS)]
    for browser in browsers:
        password_step(browser, hr_user)

    responses = race(
        [lambda b=b: b.post("/accounts/verify/backup-code/", {"code": code}) for b in browsers]
    )

    ok = [
        r.status_code == 302 and r["Location"] == "/accounts/verify/backup-codes/new/"
        for r in responses
    ]
    assert ok.count(True) == 1, [(r.status_code, r.get("Location")) for r in responses]
    for response, won in zip(responses, ok, strict=True):
        if not won:
            assert response.status_code == 200
            assert "This backup code is incorrect or has already been used" in (
                response.content.decode()
            )
    assert logged_in_sessions(hr_user) == 1
    assert BackupCode.objects.filter(user=hr_user, used_at__isnull=False).count() == 1
    assert audited(Event.BACKUP_CODE_USED, hr_user) == 1
    assert audited(Event.LOGIN_SUCCEEDED, hr_user) == 1


# --- links -------------------------------------------------------------------------------


@racing
def test_one_reset_link_used_by_eight_browsers_at_once_sets_one_password(hr_user):
    """Each browser opens the link itself, then all send a new password at the same moment."""
    assert Client().post("/recover/password/", {"username": hr_user.username}).status_code == 200
    link = newest_reset_path(hr_user)
    browsers = [Client() for _ in range(RACERS)]
    for browser in browsers:
        response = browser.get(link)
        assert response.status_code == 302 and response["Location"] == "/recover/password/new/"
    passwords = [f"Een nieuw en lang wachtwoord nummer {i}" for i in range(RACERS)]

    responses = race(
        [
            lambda b=b, p=p: b.post(
                "/recover/password/new/", {"new_password1": p, "new_password2": p}
            )
            for b, p in zip(browsers, passwords, strict=True)
        ]
    )

    ok = [r.status_code == 302 and r["Location"] == "/accounts/login/" for r in responses]
    assert ok.count(True) == 1, [r.status_code for r in responses]
    for response, won in zip(responses, ok, strict=True):
        if not won:
            assert response.status_code == 410
            assert "This password link no longer works" in response.content.decode()
    assert audited(Event.PASSWORD_RESET_DONE, hr_user) == 1
    hr_user.refresh_from_db()
    assert hr_user.check_password(passwords[ok.index(True)])


@racing
def test_one_activation_link_used_by_eight_browsers_at_once_sets_one_password(tenant):
    """Each browser opens the invitation link itself, then all choose a password at once."""
    user = create_user(
        tenant=tenant,
        username="nina.nieuw",
        email="nina@werkgever.example",
        phone="+31612345670",
        roles=["employer_hr"],
    )
    link = newest_link_path(user)
    browsers = [Client() for _ in range(RACERS)]
    for browser in browsers:
        response = browser.get(link)
        assert response.status_code == 302 and response["Location"] == "/activate/password/"
    passwords = [f"Mijn eerste eigen wachtwoord nummer {i}" for i in range(RACERS)]

    responses = race(
        [
            lambda b=b, p=p: b.post("/activate/password/", {"new_password1": p, "new_password2": p})
            for b, p in zip(browsers, passwords, strict=True)
        ]
    )

    ok = [r.status_code == 302 and r["Location"] == "/activate/phone/" for r in responses]
    assert ok.count(True) == 1, [r.status_code for r in responses]
    for response, won in zip(responses, ok, strict=True):
        if not won:
            assert response.status_code == 410
            assert "This activation link no longer works" in response.content.decode()
    changed = AuditEvent.objects.filter(event=Event.PASSWORD_CHANGED, subject=user)
    assert [e.data for e in changed] == [{"activation": True}]
    user.refresh_from_db()
    assert user.check_password(passwords[ok.index(True)])
    # Only the winner went on to the phone step, so only one confirmation SMS went out.
    confirm = SmsChallenge.objects.filter(user=user, purpose=SmsChallenge.Purpose.CONFIRM_PHONE)
    assert confirm.count() == 1


# --- the guard the link races needed (both lanes) --------------------------------------------
#
# The view checks the link when the request starts; a parallel request may use it before this
# one writes. The actions therefore check the link again on the locked account row.


@pytest.mark.django_db
def test_a_reset_link_used_meanwhile_sets_no_second_password(hr_user):
    seen_by_the_view = User.objects.get(pk=hr_user.pk)
    token = reset_token.make_token(seen_by_the_view)
    reset_password(hr_user, "De winnaar van de race 1", SYSTEM, token=token)  # the other request
    with pytest.raises(recovery_actions.LinkUsed):
        reset_password(seen_by_the_view, "De verliezer van de race 2", SYSTEM, token=token)
    hr_user.refresh_from_db()
    assert hr_user.check_password("De winnaar van de race 1")
    assert audited(Event.PASSWORD_RESET_DONE, hr_user) == 1


@pytest.mark.django_db
def test_an_activation_link_used_meanwhile_sets_no_second_password(tenant):
    user = create_user(tenant=tenant, username="nina.nieuw", email="nina@werkgever.example",
                       phone="+31612345670", roles=["employer_hr"])
    seen_by_the_view = User.objects.get(pk=user.pk)
    token = activation_token.make_token(seen_by_the_view)
    set_initial_password(user, "De winnaar van de race 1", SYSTEM, token=token)
    with pytest.raises(activation_actions.LinkUsed):
        set_initial_password(seen_by_the_view, "De verliezer van de race 2", SYSTEM, token=token)
    user.refresh_from_db()
    assert user.check_password("De winnaar van de race 1")
    assert audited(Event.PASSWORD_CHANGED, user) == 1
