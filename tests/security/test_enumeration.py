"""Account enumeration, from the attacker's side of the login and both forgot-flows.

For every kind of account an attacker may probe — none at all, an active one (wrong
password), a blocked one, a deactivated one, one of another tenant, one not yet activated —
the portal must answer exactly like it answers for a name that does not exist: the same
status, the same visible page (CSRF tokens, nonces and the typed value aside), the same
cookies, the same redirect, the same number of password-hasher calls (the work an attacker
could time) and the same throttling. Mail that the forgot-flows send goes to the account's
own registered address only, which the attacker cannot read; the page never hints at it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import PASSWORD
from tests.security.attack_support import (
    FORGOT_LOGIN_NAME,
    FORGOT_PASSWORD,
    LOGIN,
    SMS_STEP,
    account_kinds,
    attacker,
    cheap_argon2,
    cookie_shape,
    visible_page,
)
from verzuim.accounts import backends
from verzuim.accounts.actions import block_user
from verzuim.messaging.models import OutgoingMessage

pytestmark = pytest.mark.django_db

WRONG = "Not-the-password-1"
UNKNOWN_NAME = "niemand.hier"
UNKNOWN_EMAIL = "niemand@werkgever.example"


@dataclass
class Answer:
    status: int
    location: str | None
    page: str
    cookies: list
    hasher_calls: list[str]


def observe(client, url, data, typed, hasher_calls) -> Answer:
    hasher_calls.clear()
    response = client.post(url, data)
    return Answer(
        status=response.status_code,
        location=response.get("Location"),
        page=visible_page(response, typed) if response.status_code != 302 else "",
        cookies=cookie_shape(response),
        hasher_calls=list(hasher_calls),
    )


@pytest.fixture
def accounts(monkeypatch, tenant, other_tenant):
    # Hundreds of checks in this module: argon2 with the smallest parameters. The number of
    # checks is what is compared; test_unknown_names_cost_the_same_argon2_work shows that
    # the real parameters are the same for known and unknown names.
    cheap_argon2(monkeypatch)
    return account_kinds(tenant, other_tenant)


# --- the password step of the login ------------------------------------------------------------

# (kind of account, password the attacker types)
LOGIN_PROBES = {
    "active_wrong_password": ("active", WRONG),
    "blocked_wrong_password": ("blocked", WRONG),
    "deactivated_wrong_password": ("deactivated", WRONG),
    "deactivated_right_password": ("deactivated", PASSWORD),
    "other_tenant_wrong_password": ("foreign", WRONG),
    "other_tenant_right_password": ("foreign", PASSWORD),
    "not_activated": ("not_activated", PASSWORD),
}


@pytest.mark.parametrize("probe", LOGIN_PROBES, ids=list(LOGIN_PROBES))
def test_login_answers_like_for_an_unknown_name(accounts, hasher_calls, probe):
    kind, password = LOGIN_PROBES[probe]
    name = getattr(accounts, kind).username
    baseline = observe(
        attacker(1),
        LOGIN,
        {"username": UNKNOWN_NAME, "password": password},
        UNKNOWN_NAME,
        hasher_calls,
    )
    answer = observe(
        attacker(2), LOGIN, {"username": name, "password": password}, name, hasher_calls
    )
    assert baseline.status == 200 and "The login name or password is incorrect." in baseline.page
    assert answer == baseline
    assert baseline.hasher_calls == ["verify"]  # one real argon2 check, known or not
    assert not OutgoingMessage.objects.exists()  # no SMS, no mail: nothing moved


def test_unknown_names_cost_the_same_argon2_work(hr_user, monkeypatch):
    """The hash that unknown, deactivated and not-activated names are checked against has
    the production parameters of a real account's hash (so the timing is the same too)."""
    monkeypatch.setattr(backends, "_dummy_hash", None)
    parameters = hr_user.password.rsplit("$", 2)[0]
    assert parameters == "argon2$argon2id$v=19$m=19456,t=2,p=1"
    assert backends.dummy_hash().rsplit("$", 2)[0] == parameters


@pytest.mark.parametrize("probe", LOGIN_PROBES, ids=list(LOGIN_PROBES))
def test_login_throttles_every_name_alike(accounts, hasher_calls, probe):
    """Six tries each: the waits start at the same try, say the same and cost no hashing."""
    kind, password = LOGIN_PROBES[probe]
    name = getattr(accounts, kind).username

    def six_tries(client, login_name):
        return [
            observe(
                client,
                LOGIN,
                {"username": login_name, "password": password},
                login_name,
                hasher_calls,
            )
            for _ in range(6)
        ]

    baseline = six_tries(attacker(1), UNKNOWN_NAME)
    answers = six_tries(attacker(2), name)
    assert [a.status for a in baseline] == [200, 200, 200, 200, 429, 429]
    assert answers == baseline
    assert baseline[-1].hasher_calls == []  # the refused try was not checked at all


def test_a_right_password_of_an_unusable_account_never_reaches_the_second_step(
    accounts, hasher_calls
):
    """The code page must not tell "the password was right" for accounts that cannot log in:
    no pending login is started, no SMS goes out, and the step pages send such a browser back
    to the login page exactly like a browser that never passed the password step."""
    fresh = attacker(1)
    never = fresh.get(SMS_STEP)
    for kind in ("deactivated", "foreign", "not_activated"):
        client = attacker(2)
        name = getattr(accounts, kind).username
        client.post(LOGIN, {"username": name, "password": PASSWORD})
        step = client.get(SMS_STEP)
        assert (step.status_code, step["Location"]) == (never.status_code, never["Location"])
        assert "pending_login" not in client.session
    assert not OutgoingMessage.objects.filter(channel="sms").exists()


def test_a_pending_login_of_an_account_blocked_meanwhile_looks_expired(client, accounts):
    """Passed the password step, then the account got blocked: the code page does not say
    "blocked" — it answers like for a browser without any login attempt."""
    user = accounts.active
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    block_user(user, reason="test")
    blocked_view = client.get(SMS_STEP, follow=True)
    never_view = attacker(9).get(SMS_STEP, follow=True)
    assert blocked_view.redirect_chain == never_view.redirect_chain == [(LOGIN, 302)]
    assert visible_page(blocked_view) == visible_page(never_view)
    assert "blocked" not in blocked_view.content.decode().lower()


def test_blocked_status_is_shown_only_to_whoever_knows_the_password(accounts, hasher_calls):
    """Design note: a blocked account's owner is told plainly (403, support's address) — but
    only after the right password, which was checked and throttled like every other try."""
    wrong = observe(
        attacker(1), LOGIN, {"username": "geblokt", "password": WRONG}, "geblokt", hasher_calls
    )
    right = observe(
        attacker(2), LOGIN, {"username": "geblokt", "password": PASSWORD}, "geblokt", hasher_calls
    )
    assert wrong.status == 200 and "blocked" not in wrong.page.lower()
    assert right.status == 403 and "Your account is blocked" in right.page
    assert right.hasher_calls == wrong.hasher_calls == ["verify"]


# --- "forgot password": by login name ------------------------------------------------------------

FORGOT_PASSWORD_PROBES = ["active", "blocked", "deactivated", "foreign", "not_activated"]


@pytest.mark.parametrize("kind", FORGOT_PASSWORD_PROBES)
def test_forgot_password_answers_like_for_an_unknown_name(accounts, hasher_calls, kind):
    user = getattr(accounts, kind)
    baseline = observe(
        attacker(1), FORGOT_PASSWORD, {"username": UNKNOWN_NAME}, UNKNOWN_NAME, hasher_calls
    )
    answer = observe(
        attacker(2), FORGOT_PASSWORD, {"username": user.username}, user.username, hasher_calls
    )
    assert baseline.status == 200 and "Check your e-mail" in baseline.page
    assert answer == baseline
    assert baseline.hasher_calls == []
    # Whatever was sent went to the account's own registered address, never elsewhere.
    assert set(OutgoingMessage.objects.values_list("to", flat=True)) <= {user.email}
    assert user.email not in answer.page


# --- "forgot login name": by e-mail address ----------------------------------------------------

FORGOT_LOGIN_NAME_PROBES = ["active", "blocked", "deactivated", "foreign", "not_activated"]


@pytest.mark.parametrize("kind", FORGOT_LOGIN_NAME_PROBES)
def test_forgot_login_name_answers_like_for_an_unknown_address(accounts, hasher_calls, kind):
    user = getattr(accounts, kind)
    baseline = observe(
        attacker(1), FORGOT_LOGIN_NAME, {"email": UNKNOWN_EMAIL}, UNKNOWN_EMAIL, hasher_calls
    )
    answer = observe(
        attacker(2), FORGOT_LOGIN_NAME, {"email": user.email}, user.email, hasher_calls
    )
    assert baseline.status == 200 and "Check your e-mail" in baseline.page
    assert answer == baseline
    assert baseline.hasher_calls == []
    assert set(OutgoingMessage.objects.values_list("to", flat=True)) <= {user.email}
    assert user.username not in answer.page


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        (FORGOT_PASSWORD, "username", "geblokt"),
        (FORGOT_LOGIN_NAME, "email", "geblokt@werkgever.example"),
    ],
    ids=["forgot_password", "forgot_login_name"],
)
def test_forgot_flows_throttle_known_and_unknown_alike(accounts, hasher_calls, url, field, value):
    unknown = UNKNOWN_NAME if field == "username" else UNKNOWN_EMAIL

    def tries(client, typed):
        return [observe(client, url, {field: typed}, typed, hasher_calls) for _ in range(7)]

    baseline = tries(attacker(1), unknown)
    answers = tries(attacker(2), value)
    assert 429 in [a.status for a in baseline]
    assert answers == baseline
