"""The password step: generic failures, equal work, throttling that never locks out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tests.factories import UserFactory
from verzuim.accounts.models import Throttle, User
from verzuim.audit.models import AuditEvent, Event

pytestmark = pytest.mark.django_db

GENERIC = "The login name or password is incorrect."


def post_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def error_text(response) -> str:
    body = response.content.decode()
    start = body.index('class="alert alert-error"')
    return body[start : body.index("</div>", start)]


def test_login_page_uses_standard_autocomplete_tokens_and_labels(client, tenant):
    body = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="username"' in body
    assert 'autocomplete="current-password"' in body
    assert '<label for="id_username">' in body and '<label for="id_password">' in body


def test_wrong_password_and_unknown_name_look_the_same(client, hr_user, hasher_calls):
    wrong = post_login(client, hr_user.username, "not-the-password")
    known_calls = list(hasher_calls)
    hasher_calls.clear()
    unknown = post_login(client, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert error_text(wrong) == error_text(unknown)
    assert known_calls == hasher_calls == ["verify"]


def test_unactivated_and_inactive_accounts_cost_the_same_work(client, tenant, hasher_calls):
    unactivated = UserFactory(tenant=tenant, username="nog.niet")
    unactivated.set_unusable_password()
    unactivated.save()
    UserFactory(tenant=tenant, username="weg", is_active=False)
    for name in ("nog.niet", "weg"):
        hasher_calls.clear()
        response = post_login(client, name, "whatever-password")
        assert GENERIC in error_text(response)
        assert hasher_calls == ["verify"]


def test_login_name_of_another_tenant_does_not_work_here(client, tenant, foreign_user, password):
    response = post_login(client, foreign_user.username, password)
    assert GENERIC in error_text(response)


def test_login_name_is_case_insensitive(client, hr_user, password):
    response = post_login(client, hr_user.username.upper(), password)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/verify/sms/"


def test_failed_password_is_audited_without_the_password(client, hr_user):
    post_login(client, hr_user.username, "Secret-Guess-123")
    event = AuditEvent.objects.get(event=Event.LOGIN_PASSWORD_FAILED)
    assert event.login_name == hr_user.username
    assert event.ip == "127.0.0.1"
    assert "Secret-Guess-123" not in str(event.data)


def test_failures_make_the_account_wait_without_hashing(client, hr_user, hasher_calls):
    for _ in range(4):
        assert post_login(client, hr_user.username, "wrong").status_code == 200
    fifth = post_login(client, hr_user.username, "wrong")
    assert fifth.status_code == 429
    assert "15 seconds" in error_text(fifth)
    hasher_calls.clear()
    refused = post_login(client, hr_user.username, "wrong")
    assert refused.status_code == 429
    assert hasher_calls == []  # throttled before any hash
    assert AuditEvent.objects.filter(event=Event.LOGIN_THROTTLED).exists()


def test_waits_grow_per_failure(client, hr_user):
    waits = []
    for _ in range(8):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        post_login(client, hr_user.username, "wrong")
        row = Throttle.objects.get(scope="account")
        waits.append(round((row.blocked_until - row.last_failure_at).total_seconds()))
    assert waits == [0, 0, 0, 0, 15, 30, 60, 120]


def test_password_failures_never_block_the_account(client, hr_user, password):
    for _ in range(30):
        Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
        post_login(client, hr_user.username, "wrong")
    hr_user.refresh_from_db()
    assert hr_user.blocked_at is None
    Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert post_login(client, hr_user.username, password).status_code == 302


def test_one_address_guessing_many_accounts_is_slowed_down(client, tenant):
    for n in range(20):
        post_login(client, f"slachtoffer{n}", "Welkom01")
    response = post_login(client, "slachtoffer99", "Welkom01")
    assert response.status_code == 429
    other_address = post_login(client, "slachtoffer99", "Welkom01", REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200


def test_forwarded_for_header_is_ignored_unless_configured(client, tenant):
    for n in range(21):
        post_login(client, f"stuffing{n}", "pw", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert Throttle.objects.filter(scope="address", key="127.0.0.1").exists()
    assert not Throttle.objects.filter(key__startswith="198.51.100.").exists()


def test_forwarded_for_header_from_trusted_proxy_is_used(client, tenant, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    post_login(client, "someone", "pw", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert Throttle.objects.filter(scope="address", key="203.0.113.9").exists()


def test_successful_password_resets_the_account_counter(client, hr_user, password):
    for _ in range(3):
        post_login(client, hr_user.username, "wrong")
    assert post_login(client, hr_user.username, password).status_code == 302
    assert not Throttle.objects.filter(scope="account").exists()


def test_new_hashes_use_argon2id_with_owasp_parameters(hr_user):
    assert hr_user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_old_hash_is_upgraded_on_login(client, tenant, password):
    user = UserFactory(tenant=tenant, username="oud")
    User.objects.filter(pk=user.pk).update(password=make_password(password, hasher="pbkdf2_sha256"))
    assert post_login(client, "oud", password).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_password_step_rotates_the_session_key(client, hr_user, password):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    post_login(client, hr_user.username, password)
    assert client.session.session_key != before


def test_blocked_user_with_right_password_is_told_plainly(client, tenant, password):
    UserFactory(tenant=tenant, username="geblokt", blocked=True)
    response = post_login(client, "geblokt", password)
    assert response.status_code == 403
    body = response.content.decode()
    assert "blocked" in body or "geblokkeerd" in body
    assert tenant.support_email in body


def test_blocked_user_with_wrong_password_gets_the_generic_message(client, tenant):
    UserFactory(tenant=tenant, username="geblokt", blocked=True)
    response = post_login(client, "geblokt", "wrong")
    assert response.status_code == 200
    assert GENERIC in error_text(response)


def test_empty_and_overlong_input_is_rejected_without_error(client, tenant):
    assert client.post("/accounts/login/", {}).status_code == 200
    response = post_login(client, "x" * 5000, "y" * 5000)
    assert response.status_code == 200


def test_next_parameter_is_kept_for_local_paths_only(client, hr_user, password, sms_code):
    client.post(
        "/accounts/login/?next=/help/faq/",
        {"username": hr_user.username, "password": password, "next": "/help/faq/"},
    )
    response = client.post("/accounts/verify/sms/", {"code": sms_code()})
    assert response["Location"] == "/help/faq/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_next_parameter_cannot_redirect_elsewhere(client, hr_user, password, sms_code, target):
    client.post(
        "/accounts/login/", {"username": hr_user.username, "password": password, "next": target}
    )
    response = client.post("/accounts/verify/sms/", {"code": sms_code()})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "typed",
    ["Paard Batterij Nietje 42", "  paard batterij nietje 42  ", "  PAARD BATTERIJ NIETJE 42  "],
)
def test_the_password_is_checked_exactly_as_typed(client, tenant, typed):
    """No trimming, no case folding, no truncation (ASVS 6.2.8): only the exact text works."""
    user = UserFactory(tenant=tenant, password="  Paard Batterij Nietje 42  ")
    wrong = client.post("/accounts/login/", {"username": user.username, "password": typed})
    assert wrong.status_code == 200
    exact = client.post(
        "/accounts/login/", {"username": user.username, "password": "  Paard Batterij Nietje 42  "}
    )
    assert exact.status_code == 302
