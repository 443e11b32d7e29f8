"""Both requests are throttled per client address and per e-mail address / login name."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.recovery.conftest import queued_emails, without_csrf
from verzuim.accounts.models import Throttle
from verzuim.accounts.throttle_rules import ACCOUNT_POLICY, ADDRESS_POLICY
from verzuim.audit.models import AuditEvent, Event, Outcome

pytestmark = pytest.mark.django_db

WAIT_TEXT = "You have asked too often. For your security you can try again in"


def ask_name(client, email, ip="10.0.0.1"):
    return client.post("/recover/login-name/", {"email": email}, REMOTE_ADDR=ip)


def ask_reset(client, name, ip="10.0.0.1"):
    return client.post("/recover/password/", {"username": name}, REMOTE_ADDR=ip)


def error_text(response) -> str:
    body = response.content.decode()
    start = body.index('class="alert alert-error"')
    return body[start : body.index("</div>", start)]


@pytest.mark.parametrize(
    ("ask", "known", "unknown"),
    [
        (ask_name, lambda u: u.email, "niemand@werkgever.example"),
        (ask_reset, lambda u: u.username, "nobody.here"),
    ],
)
def test_per_account_key_known_and_unknown_alike(client, hr_user, ask, known, unknown):
    answers = {}
    for label, value in (("known", known(hr_user)), ("unknown", unknown)):
        for i in range(ACCOUNT_POLICY.free_failures):
            assert ask(client, value, ip=f"10.1.{i}.1").status_code == 200
        answers[label] = ask(client, value, ip="10.9.9.9")
        assert answers[label].status_code == 429
        assert WAIT_TEXT in error_text(answers[label])
        assert "15 seconds" in error_text(answers[label])
    assert without_csrf(answers["known"]).replace(known(hr_user), "X") == without_csrf(
        answers["unknown"]
    ).replace(unknown, "X")
    sent = queued_emails()
    # After the wait the same key works again.
    with time_machine.travel(timezone.now() + timedelta(seconds=16)):
        assert ask(client, known(hr_user), ip="10.8.8.8").status_code == 200
    assert queued_emails() == sent + 1


@pytest.mark.parametrize("ask", [ask_name, ask_reset])
def test_per_client_address(client, tenant, ask):
    for i in range(ADDRESS_POLICY.free_failures):
        value = f"iemand{i}@werkgever.example" if ask is ask_name else f"iemand{i}"
        assert ask(client, value).status_code == 200
    response = ask(client, "nog.een@werkgever.example" if ask is ask_name else "nog.een")
    assert response.status_code == 429
    assert WAIT_TEXT in error_text(response)
    # Another address is not affected.
    assert ask(client, "ander@werkgever.example", ip="10.2.2.2").status_code == 200


def test_refusals_are_audited_once_per_wait(client, hr_user):
    for _ in range(ACCOUNT_POLICY.free_failures + 3):
        ask_reset(client, hr_user.username)
    refused = AuditEvent.objects.filter(
        event=Event.PASSWORD_RESET_REQUESTED, outcome=Outcome.FAILURE
    )
    assert refused.count() == 1
    assert refused.get().data["throttled"] is True


def test_recovery_requests_do_not_cost_login_attempts(client, hr_user, password):
    for _ in range(ADDRESS_POLICY.free_failures + 2):
        ask_reset(client, "nobody.here")
        ask_name(client, "niemand@werkgever.example")
    response = client.post(
        "/accounts/login/",
        {"username": hr_user.username, "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    login_counter = Throttle.objects.get(scope="address", key="10.0.0.1")
    assert login_counter.failures == 0  # the right password gave its one try back
