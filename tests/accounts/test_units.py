"""Small rules of the accounts package, tested on plain values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from verzuim.accounts.backends import TenantLoginBackend
from verzuim.accounts.models import Throttle
from verzuim.accounts.phone import mask_phone, normalise_mobile
from verzuim.accounts.throttles import account_key, address_key
from verzuim.mfa.sms import rules as sms_rules


@pytest.mark.parametrize("raw", ["06-12345678", "+31 6 1234 5678", "0031612345678", " 0612345678 "])
def test_dutch_mobile_numbers_in_any_notation_become_e164(raw):
    assert normalise_mobile(raw) == "+31612345678"


def test_foreign_mobile_numbers_are_kept():
    assert normalise_mobile("+32 470 12 34 56") == "+32470123456"


@pytest.mark.parametrize("raw", ["", "abc", "+", "06"])
def test_unparseable_numbers_get_a_dutch_explanation(raw):
    with pytest.raises(ValidationError) as exc:
        normalise_mobile(raw)
    assert exc.value.code in {"invalid_phone", "not_mobile"}


def test_masking_shows_country_and_last_two_digits_only():
    assert mask_phone("+31612345678") == "+31 •••••••78"
    assert mask_phone("+32470123456") == "+32 •••••••56"
    assert mask_phone("") == ""
    assert mask_phone("+999123") .endswith("23")


def test_account_key_ignores_case_and_spaces_but_not_tenant():
    assert account_key(1, " Jan.HR ") == account_key(1, "jan.hr")
    assert account_key(1, "jan.hr") != account_key(2, "jan.hr")
    assert len(account_key(1, "x" * 500)) == 64


def test_address_key_groups_ipv6_by_64_prefix():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("192.0.2.7") == "192.0.2.7"
    assert address_key(None) == "unknown"


def test_resend_wait_schedule():
    assert [sms_rules.resend_wait(n) for n in range(7)] == [0, 30, 60, 120, 300, 300, 300]


def test_code_format_accepts_ascii_digits_only():
    assert sms_rules.well_formed("012345")
    assert not sms_rules.well_formed("١٢٣٤٥٦")
    assert not sms_rules.well_formed("12345")
    assert sms_rules.normalise_code("123 456") == "123456"


@pytest.mark.django_db
def test_backend_needs_tenant_name_and_password(tenant, hr_user, password):
    backend = TenantLoginBackend()
    assert backend.authenticate(None, username=hr_user.username, password=password) is None
    assert backend.authenticate(None, password=password, tenant=tenant) is None
    assert backend.authenticate(None, username=hr_user.username, password=password,
                                tenant=tenant) == hr_user


@pytest.mark.django_db
def test_backend_does_not_restore_sessions_of_blocked_or_inactive_users(tenant):
    backend = TenantLoginBackend()
    blocked = UserFactory(tenant=tenant, blocked=True)
    inactive = UserFactory(tenant=tenant, is_active=False)
    active = UserFactory(tenant=tenant)
    assert backend.get_user(blocked.pk) is None
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(active.pk) == active
    assert backend.get_user(10**9) is None


@pytest.mark.django_db
def test_role_labels_are_readable(tenant):
    user = UserFactory(tenant=tenant, roles=["case_manager", "physician"])
    assert user.role_labels() == ["Case manager", "Occupational physician"]
    assert user.has_role("physician") and not user.has_role("support")
    assert str(Throttle(scope="account", key="k", failures=2)) == "account:k (2)"


@pytest.mark.django_db
def test_logged_in_user_visiting_login_goes_home(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/"
