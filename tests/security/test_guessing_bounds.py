"""Online guessing, measured: how many guesses does an attacker really get per day?

The clock is driven with time_machine and the attacker retries the very moment the portal
allows it (read from the throttle rows the next attempt touches; one second earlier is
probed each time and must be refused without hashing). A guess counts only when the portal
actually checked it: a password guess when argon2 verified it (``hasher_calls``), a code
guess when it was compared (a SECOND_FACTOR_FAILED audit row). The measured numbers must
equal the ones documented in docs/security/asvs-l2.md, section "Maximum guesses per day".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import last_sms_code
from tests.factories import PASSWORD, UserFactory
from tests.security.attack_support import (
    APP_STEP,
    BACKUP_STEP,
    LOGIN,
    SMS_STEP,
    cheap_argon2,
    totp_window,
    wrong_six_digits,
)
from verzuim.accounts import throttles
from verzuim.accounts.models import Throttle, User
from verzuim.accounts.throttle_rules import ADDRESS_POLICY, wait_after
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.models import OutgoingMessage
from verzuim.mfa.backup_codes import rules as backup_rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.totp.actions import confirm_totp_device, start_totp_setup
from verzuim.tenants.models import Tenant

pytestmark = pytest.mark.django_db

# docs/security/asvs-l2.md, "Maximum guesses per day" → "Password":
ACCOUNT_GUESSES_FIRST_DAY = 105  # per account, from any number of addresses
ACCOUNT_GUESSES_PER_DAY_AFTER = 96  # per account, every later day (86 400 / 900)
ADDRESS_GUESSES_FIRST_DAY = 120  # per address (IPv4 or IPv6 /64), over all accounts
ADDRESS_GUESSES_PER_DAY_AFTER = 96
# docs/security/asvs-l2.md, "Maximum guesses per day" → "Second factor": in total per
# account, all factors together, not per day; then blocked until support unblocks.
SECOND_FACTOR_GUESSES = 10  # the tenant default
SECOND_FACTOR_GUESSES_AT_TENANT_MAXIMUM = 20

DAY = timedelta(days=1)
T0 = datetime(2026, 2, 2, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch):
    """Hundreds of password checks: argon2 with its smallest parameters (counts unchanged)."""
    cheap_argon2(monkeypatch)


def next_allowed(keys) -> datetime:
    """The first moment at which an attempt touching ``keys`` is not refused."""
    waits = Throttle.objects.filter(throttles._keys_filter(keys)).values_list(
        "blocked_until", flat=True
    )
    return max([timezone.now(), *waits])


def attack_passwords(clock, tenant, hasher_calls, *, days, name_for, address_for):
    """Guess as fast as the portal allows for ``days``; returns the checked guesses per day.

    ``name_for(n)`` / ``address_for(n)``: the login name and client address of guess n.
    Whenever the wait changes (and once a day) the attacker also tries one second before
    the wait ends: that try must be refused without checking the password.
    """
    browser = Client()
    end = T0 + days * DAY
    per_day = [0] * days
    n, last_wait, probed_day = 0, None, -1
    while timezone.now() < end:
        hasher_calls.clear()
        response = browser.post(
            LOGIN,
            {"username": name_for(n), "password": f"Guess-number-{n}"},
            REMOTE_ADDR=address_for(n),
        )
        assert hasher_calls == ["verify"], (n, response.status_code)  # it was checked
        day = (timezone.now() - T0) // DAY
        per_day[day] += 1
        n += 1
        allowed = next_allowed(throttles.login_keys(tenant.pk, name_for(n), address_for(n)))
        wait = allowed - timezone.now()
        if wait and (wait != last_wait or day != probed_day):
            clock.move_to(allowed - timedelta(seconds=1), tick=False)
            hasher_calls.clear()
            early = browser.post(
                LOGIN,
                {"username": name_for(n), "password": "too-early"},
                REMOTE_ADDR=address_for(n),
            )
            assert early.status_code == 429 and hasher_calls == [], n
            last_wait, probed_day = wait, day
        clock.move_to(allowed, tick=False)
    return per_day


def test_one_account_gets_105_guesses_in_the_first_day_and_96_a_day_after(
    clock, tenant, hasher_calls
):
    """From a fresh address for every guess: only the account counter binds."""
    victim = UserFactory(tenant=tenant, username="slachtoffer")
    per_day = attack_passwords(
        clock,
        tenant,
        hasher_calls,
        days=2,
        name_for=lambda n: victim.username,
        address_for=lambda n: f"10.{n // 250}.{n % 250}.1",
    )
    assert per_day == [ACCOUNT_GUESSES_FIRST_DAY, ACCOUNT_GUESSES_PER_DAY_AFTER]
    checked = AuditEvent.objects.filter(event=Event.LOGIN_PASSWORD_FAILED).count()
    assert checked == sum(per_day)
    victim.refresh_from_db()
    assert victim.blocked_at is None  # slowed down, never locked out


def test_one_address_gets_120_guesses_in_the_first_day_and_96_a_day_after(
    clock, tenant, hasher_calls
):
    """A different login name for every guess (credential stuffing): only the address
    counter binds. Known and unknown names count alike."""
    UserFactory(tenant=tenant, username="naam0")
    per_day = attack_passwords(
        clock,
        tenant,
        hasher_calls,
        days=2,
        name_for=lambda n: f"naam{n}",
        address_for=lambda n: "203.0.113.66",
    )
    assert per_day == [ADDRESS_GUESSES_FIRST_DAY, ADDRESS_GUESSES_PER_DAY_AFTER]


def test_one_ipv6_network_counts_as_one_address(clock, tenant, hasher_calls):
    """Rotating through the addresses of one /64 gives no extra guesses: after the
    address's free failures the next address of the same /64 must wait too (another /64 need
    not: it is another address)."""
    browser = Client()
    free = ADDRESS_POLICY.free_failures
    for n in range(free):
        browser.post(
            LOGIN,
            {"username": f"naam{n}", "password": "Guess"},
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}",
        )
    hasher_calls.clear()
    same_network = browser.post(
        LOGIN,
        {"username": "naam-x", "password": "Guess"},
        REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe",
    )
    assert same_network.status_code == 429 and hasher_calls == []
    other_network = browser.post(
        LOGIN, {"username": "naam-y", "password": "Guess"}, REMOTE_ADDR="2001:db8:1:3::1"
    )
    assert other_network.status_code == 200 and hasher_calls == ["verify"]


def possible_attempts(policy, seconds: int) -> int:
    """Attempts one key allows within ``seconds`` by the policy's own waits (cf. the doc)."""
    elapsed, attempts = 0, 0
    while elapsed < seconds:
        attempts += 1
        elapsed += wait_after(attempts, policy)
    return attempts


def test_own_right_passwords_in_between_give_no_extra_guesses(clock, tenant, hasher_calls):
    """The attacker logs in to an account of their own whenever the address may try again:
    the address counter gives back only that attempt, so in an hour the wrong guesses stay
    within what the address allows without those logins."""
    own = UserFactory(tenant=tenant, username="eigen.account")
    address = "203.0.113.77"
    keys = throttles.login_keys(tenant.pk, "naam", address)
    browser = Client(REMOTE_ADDR=address)
    wrong = 0
    while timezone.now() < T0 + timedelta(hours=1):
        hasher_calls.clear()
        browser.post(LOGIN, {"username": f"naam{wrong}", "password": "Guess"})
        assert hasher_calls == ["verify"]
        wrong += 1
        clock.move_to(next_allowed(keys), tick=False)
        if timezone.now() >= T0 + timedelta(hours=1):
            break
        own_login = Client(REMOTE_ADDR=address).post(
            LOGIN, {"username": own.username, "password": PASSWORD}
        )
        assert own_login.status_code == 302
        clock.move_to(next_allowed(keys), tick=False)
    assert wrong <= possible_attempts(ADDRESS_POLICY, 3600) == 28


# --- the second factor ---------------------------------------------------------------------------


@pytest.fixture
def owner(tenant, clock):
    """An account with every code factor: SMS (the default), an app, backup codes."""
    user = UserFactory(tenant=tenant, username="eigenaar", phone="+31612340001")
    device = start_totp_setup(user)
    confirm_totp_device(device, totp_window(device.secret).pop(), name="Phone")
    clock.shift(90)  # past the steps the confirmation may have used
    user.codes = generate_backup_codes(user)
    user.totp_secret = device.secret
    return user


def code_failures(user) -> int:
    return AuditEvent.objects.filter(event=Event.SECOND_FACTOR_FAILED, subject=user).count()


def password_step(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD})


def wrong_guess(client, user, method: str):
    """One wrong code of ``method`` after the right password (the attacker knows it)."""
    response = password_step(client, user)
    if response.status_code != 302:
        return response
    if method == "sms":
        return client.post(SMS_STEP, {"code": wrong_six_digits(last_sms_code(user.phone))})
    if method == "totp":
        return client.post(APP_STEP, {"code": wrong_six_digits(*totp_window(user.totp_secret))})
    return client.post(BACKUP_STEP, {"code": backup_rules.generate_code()})


def right_code(client, user, method: str):
    if method == "sms":
        return client.post(SMS_STEP, {"code": last_sms_code(user.phone)})
    if method == "totp":
        return client.post(APP_STEP, {"code": pyotp.TOTP(user.totp_secret).at(timezone.now())})
    return client.post(BACKUP_STEP, {"code": user.codes[0]})


def guess_one_a_day_until_blocked(clock, user, methods, limit=30):
    """One wrong code a day, each after a fresh password step; returns the codes checked
    and the answer to the last one."""
    attacker = Client(REMOTE_ADDR="198.51.100.23")
    checked = 0
    for n in range(limit):
        before = code_failures(user)
        response = wrong_guess(attacker, user, methods[n % len(methods)])
        checked += code_failures(user) - before
        if response.status_code == 403:
            return checked, response
        assert response.status_code == 200, response.status_code
        clock.shift(DAY)
    raise AssertionError(f"not blocked after {limit} wrong codes")


METHOD_MIXES = {
    "sms": ["sms"],
    "totp": ["totp"],
    "backup_code": ["backup_code"],
    "all_factors_together": ["sms", "totp", "backup_code"],
}


@pytest.mark.parametrize("mix", METHOD_MIXES, ids=list(METHOD_MIXES))
def test_ten_code_guesses_in_total_then_blocked_until_support_unblocks(
    clock, tenant, owner, support_user, mix
):
    methods = METHOD_MIXES[mix]
    checked, last = guess_one_a_day_until_blocked(clock, owner, methods)
    # Spread over ten days, whatever the factor: ten in total, not ten a day or per factor.
    assert checked == SECOND_FACTOR_GUESSES
    assert "Your account is blocked" in last.content.decode()
    owner.refresh_from_db()
    assert owner.is_blocked

    # The block holds: a month later the right password and code still do not get in.
    clock.shift(30 * DAY)
    for method in ("sms", "totp", "backup_code"):
        browser = Client()
        refused = password_step(browser, owner)
        assert refused.status_code == 403 and "Your account is blocked" in refused.content.decode()
        after_code = right_code(browser, owner, method)
        assert after_code.status_code == 302 and after_code["Location"] == LOGIN
        assert browser.get("/").status_code == 302  # not logged in
    assert not OutgoingMessage.objects.filter(
        channel="sms", to=owner.phone, created_at__gt=timezone.now() - DAY
    ).exists()  # a blocked account gets no more SMS
    assert code_failures(owner) == SECOND_FACTOR_GUESSES  # nothing more was even compared

    # Support unblocks; then the owner logs in as usual.
    support = Client()
    password_step(support, support_user)
    support.post(SMS_STEP, {"code": last_sms_code(support_user.phone)})
    response = support.post(
        f"/support/users/{owner.pk}/unblock/", {"unblock-reason": "Caller identified"}
    )
    assert response.status_code == 302
    browser = Client()
    assert password_step(browser, owner).status_code == 302
    assert right_code(browser, owner, "sms").status_code == 302
    assert browser.get("/").status_code == 200


def test_a_browser_past_the_password_step_before_the_block_is_refused_the_right_code(clock, owner):
    """The attacker's own second browser, waiting at the code page with the right code, is
    sent back to the login once the account is blocked."""
    for _ in range(SECOND_FACTOR_GUESSES - 1):
        wrong_guess(Client(), owner, "totp")
    waiting = Client()
    assert password_step(waiting, owner).status_code == 302
    blocking = wrong_guess(Client(), owner, "totp")
    assert blocking.status_code == 403
    response = right_code(waiting, owner, "totp")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert waiting.get("/").status_code == 302
    assert code_failures(owner) == SECOND_FACTOR_GUESSES


def test_at_the_strictest_allowed_maximum_a_tenant_allows_twenty(clock, tenant, owner):
    field = Tenant._meta.get_field("second_step_block_threshold")
    allowed = [v.limit_value for v in field.validators]
    assert max(allowed) == SECOND_FACTOR_GUESSES_AT_TENANT_MAXIMUM
    tenant.second_step_block_threshold = SECOND_FACTOR_GUESSES_AT_TENANT_MAXIMUM
    tenant.save()
    checked, _ = guess_one_a_day_until_blocked(clock, owner, ["totp", "backup_code"])
    assert checked == SECOND_FACTOR_GUESSES_AT_TENANT_MAXIMUM


def test_each_owner_login_gives_an_attacker_at_most_nine_more_unnoticed_guesses(clock, owner):
    """Documented exception: a complete login by the owner resets the counter."""
    for _ in range(SECOND_FACTOR_GUESSES - 1):
        wrong_guess(Client(), owner, "totp")
    owner_browser = Client()
    password_step(owner_browser, owner)
    clock.shift(30)
    assert right_code(owner_browser, owner, "totp").status_code == 302
    assert User.objects.get(pk=owner.pk).second_step_failures == 0
    for _ in range(SECOND_FACTOR_GUESSES - 1):
        assert wrong_guess(Client(), owner, "totp").status_code == 200
    assert wrong_guess(Client(), owner, "totp").status_code == 403
