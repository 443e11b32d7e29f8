"""Throttling holds under parallel requests, and strangers cannot lock an owner out."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import is_postgres
from verzuim.accounts import throttles
from verzuim.accounts.exceptions import TooManyAttempts
from verzuim.accounts.known_devices import COOKIE
from verzuim.accounts.models import Throttle
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db


def test_unicode_variants_of_a_name_share_one_counter():
    assert throttles.account_key(1, "admın") == throttles.account_key(1, "ADMIN")
    assert throttles.account_key(1, "ｊａｎ") == throttles.account_key(1, "jan")  # full-width
    assert throttles.account_key(1, "ſara") == throttles.account_key(1, "Sara")


def test_ipv4_mapped_addresses_count_as_their_ipv4_address():
    assert throttles.address_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert throttles.address_key("::ffff:1.2.3.4") != throttles.address_key("::ffff:5.6.7.8")


def test_an_attempt_is_counted_before_the_password_is_checked(tenant):
    keys = throttles.login_keys(tenant.pk, "iemand", "192.0.2.1")
    for _ in range(5):
        throttles.reserve(keys)  # five attempts in flight, none finished yet
    with pytest.raises(TooManyAttempts):
        throttles.reserve(keys)


def test_a_right_password_gives_the_reservation_back(client, hr_user, password):
    for _ in range(3):
        client.post("/accounts/login/", {"username": hr_user.username, "password": "fout"})
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert not Throttle.objects.filter(scope="account").exists()
    assert Throttle.objects.get(scope="address").failures == 3


def test_refusals_during_one_wait_are_audited_once(client, hr_user):
    for _ in range(5):
        client.post("/accounts/login/", {"username": hr_user.username, "password": "fout"})
    for _ in range(10):
        assert (
            client.post(
                "/accounts/login/", {"username": hr_user.username, "password": "fout"}
            ).status_code
            == 429
        )
    assert AuditEvent.objects.filter(event=Event.LOGIN_THROTTLED).count() == 1


def test_strangers_failing_cannot_keep_the_owner_out(client, hr_user, logged_in_client, password):
    logged_in_client(hr_user)  # the owner's browser now has a known-device cookie
    assert COOKIE in client.cookies
    client.post("/accounts/logout/")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(40):
        Throttle.objects.filter(scope="account").update(
            blocked_until=timezone.now() - timedelta(seconds=1)
        )
        attacker.post("/accounts/login/", {"username": hr_user.username, "password": "raden"})
    assert (
        attacker.post(
            "/accounts/login/", {"username": hr_user.username, "password": password}
        ).status_code
        == 429
    )
    response = client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    assert response.status_code == 302  # the owner's browser has its own counter


def test_known_device_cookie_of_another_account_does_not_help(
    client, tenant, hr_user, logged_in_client, password
):
    from tests.factories import UserFactory

    logged_in_client(hr_user)
    client.post("/accounts/logout/")
    victim = UserFactory(tenant=tenant, username="slachtoffer")
    for _ in range(5):
        client.post("/accounts/login/", {"username": victim.username, "password": "raden"})
    response = client.post("/accounts/login/", {"username": victim.username, "password": "raden"})
    assert response.status_code == 429


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_extra_tries(hr_user):
    """Twelve wrong passwords at once after the free ones: one is checked, the rest wait."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL for real concurrent transactions (run .ci/run)")
    for _ in range(5):
        Client().post("/accounts/login/", {"username": hr_user.username, "password": "fout"})
    Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    before = AuditEvent.objects.filter(event=Event.LOGIN_PASSWORD_FAILED).count()
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def guess():
        try:
            barrier.wait()
            statuses.append(
                Client()
                .post("/accounts/login/", {"username": hr_user.username, "password": "fout"})
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = AuditEvent.objects.filter(event=Event.LOGIN_PASSWORD_FAILED).count() - before
    assert checked == 1
    assert statuses.count(429) == 12


@pytest.mark.django_db(transaction=True)
def test_colleagues_logging_in_at_once_from_one_office_are_not_refused(tenant, password):
    """Right passwords from one address at the same moment: nobody gets "too many attempts"
    (a parallel attempt's zero wait once counted as a wait for the next in line)."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL for real concurrent transactions (run .ci/run)")
    from tests.factories import UserFactory

    colleagues = [UserFactory(tenant=tenant) for _ in range(8)]
    barrier = threading.Barrier(len(colleagues))
    statuses: list[int] = []

    def log_in(user):
        try:
            barrier.wait()
            for _ in range(3):
                response = Client().post(
                    "/accounts/login/", {"username": user.username, "password": password}
                )
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=log_in, args=(u,)) for u in colleagues]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(302) == len(colleagues) * 3, statuses


def test_device_cookie_carries_the_host_prefix_over_https(settings, rf):
    """Over HTTPS the known-device cookie is a __Host- cookie, and it is read back as one."""
    from django.http import HttpResponse

    from verzuim.accounts import known_devices

    settings.COOKIE_PREFIX = "__Host-"
    settings.SESSION_COOKIE_SECURE = True
    response = HttpResponse()
    known_devices.remember(response, 1, "hanna")
    cookie = response.cookies["__Host-verzuim_device"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    request = rf.get("/", HTTP_COOKIE=f"__Host-verzuim_device={cookie.value}")
    assert known_devices.nonce_for(request, 1, "hanna")
    unprefixed = rf.get("/", HTTP_COOKIE=f"verzuim_device={cookie.value}")
    assert known_devices.nonce_for(unprefixed, 1, "hanna") is None
