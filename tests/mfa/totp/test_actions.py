"""Adding, checking and removing authenticator apps through the actions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from tests.conftest import is_postgres
from tests.factories import UserFactory
from tests.mfa.totp.conftest import STEP, code_for
from verzuim.accounts.exceptions import AccountBlocked
from verzuim.accounts.models import TrustedDevice
from verzuim.audit.models import AuditEvent, Event, Outcome
from verzuim.core.request import Origin
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.exceptions import CodeInvalid, CodeOutOfTime
from verzuim.mfa.totp import actions
from verzuim.mfa.totp.actions import (
    LastFactorError,
    SetupExpired,
    TotpNotAllowed,
    confirm_totp_device,
    remove_totp_device,
    resume_totp_setup,
    start_totp_setup,
    verify_totp_code,
)
from verzuim.mfa.totp.models import TotpDevice

pytestmark = pytest.mark.django_db
ORIGIN = Origin(ip="192.0.2.7", user_agent="pytest")


def wrong(right: str) -> str:
    return f"{(int(right) + 1) % 10**6:06d}"


def trust_a_browser(user):
    return TrustedDevice.objects.create(user=user, expires_at=user.date_joined + timedelta(days=30))


# --- setting up -----------------------------------------------------------------------------


def test_setup_makes_one_unconfirmed_app_with_a_fresh_secret(hr_user, clock):
    first = start_totp_setup(hr_user)
    assert first.confirmed_at is None and len(first.secret) == 32
    assert first.name == "Authenticator app"
    second = start_totp_setup(hr_user)
    assert second.secret != first.secret
    assert list(TotpDevice.objects.filter(user=hr_user)) == [second]


def test_setup_leaves_confirmed_apps_alone_and_numbers_the_next_name(hr_user, add_app):
    app = add_app(hr_user)
    pending = start_totp_setup(hr_user)
    assert pending.name == "Authenticator app 2"
    assert set(TotpDevice.objects.filter(user=hr_user)) == {app, pending}


def test_resuming_shows_the_same_secret_until_it_is_old(hr_user, clock):
    device = resume_totp_setup(hr_user)
    clock.shift(30 * 60)
    assert resume_totp_setup(hr_user) == device
    clock.shift(actions.SETUP_MAX_AGE.total_seconds())
    fresh = resume_totp_setup(hr_user)
    assert fresh != device and fresh.secret != device.secret
    assert TotpDevice.objects.filter(user=hr_user).count() == 1


def test_setup_is_refused_when_the_tenant_does_not_allow_apps(hr_user, tenant):
    tenant.allowed_methods = ["sms"]
    tenant.save()
    with pytest.raises(TotpNotAllowed):
        start_totp_setup(hr_user)
    with pytest.raises(TotpNotAllowed):
        resume_totp_setup(hr_user)


def test_wrong_first_code_leaves_the_app_unconfirmed_and_counts_nothing(hr_user, clock):
    device = start_totp_setup(hr_user)
    with pytest.raises(CodeInvalid):
        confirm_totp_device(device, wrong(code_for(device)), name="Phone", origin=ORIGIN)
    with pytest.raises(CodeInvalid):
        confirm_totp_device(device, code_for(device, offset=2), name="Phone", origin=ORIGIN)
    device.refresh_from_db()
    hr_user.refresh_from_db()
    assert device.confirmed_at is None and device.last_used_step == 0
    assert hr_user.second_step_failures == 0
    assert not AuditEvent.objects.filter(event=Event.SECOND_FACTOR_FAILED).exists()


def test_first_right_code_confirms_audits_revokes_trust_and_notifies(hr_user, clock):
    trust_a_browser(hr_user)
    device = start_totp_setup(hr_user)
    confirm_totp_device(device, code_for(device), name="  Work   phone ", origin=ORIGIN)
    device.refresh_from_db()
    assert device.confirmed_at is not None and str(device) == "Work phone"
    assert device.last_used_step == int(device.confirmed_at.timestamp()) // STEP
    event = AuditEvent.objects.get(event=Event.TOTP_ADDED, subject=hr_user)
    assert event.data == {"name": "Work phone"} and event.ip == "192.0.2.7"
    assert not TrustedDevice.objects.filter(user=hr_user).exists()
    deliver_due()
    mail = OutboxMessage.objects.get(channel="email", to=hr_user.email)
    assert "Authenticator app added" in mail.body
    assert device.secret not in mail.body + mail.html_body
    hr_user.refresh_from_db()
    assert hr_user.preferred_method == "sms"  # the settings page lets the user choose


def test_an_empty_name_becomes_the_default_name(hr_user, clock):
    device = start_totp_setup(hr_user)
    confirm_totp_device(device, code_for(device), name="   ", origin=ORIGIN)
    device.refresh_from_db()
    assert device.name == "Authenticator app"


def test_the_confirming_code_cannot_be_used_to_log_in(hr_user, clock):
    device = start_totp_setup(hr_user)
    typed = code_for(device)
    confirm_totp_device(device, typed, name="Phone", origin=ORIGIN)
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, typed, ORIGIN)


def test_a_replaced_or_confirmed_setup_does_not_confirm(hr_user, clock):
    old = start_totp_setup(hr_user)
    start_totp_setup(hr_user)  # e.g. another tab
    with pytest.raises(SetupExpired):
        confirm_totp_device(old, code_for(old), name="Phone", origin=ORIGIN)
    device = TotpDevice.objects.get(user=hr_user)
    confirm_totp_device(device, code_for(device), name="Phone", origin=ORIGIN)
    clock.shift(STEP)
    stale = TotpDevice.objects.get(pk=device.pk)
    stale.confirmed_at = None  # a copy read before the first confirmation
    with pytest.raises(SetupExpired):
        confirm_totp_device(stale, code_for(stale), name="Again", origin=ORIGIN)
    assert AuditEvent.objects.filter(event=Event.TOTP_ADDED).count() == 1


def test_confirming_is_refused_once_the_tenant_stops_allowing_apps(hr_user, tenant, clock):
    device = start_totp_setup(hr_user)
    tenant.allowed_methods = ["sms", "webauthn"]
    tenant.save()
    with pytest.raises(TotpNotAllowed):
        confirm_totp_device(device, code_for(device), name="Phone", origin=ORIGIN)


# --- checking codes -------------------------------------------------------------------------


def test_right_code_is_accepted_once_and_audited(hr_user, add_app):
    device = add_app(hr_user)
    typed = code_for(device)
    assert verify_totp_code(hr_user, typed, ORIGIN) == device
    device.refresh_from_db()
    assert device.last_used_step == int(device.last_used_at.timestamp()) // STEP
    ok = AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK, subject=hr_user).get()
    assert ok.data["method"] == "totp"
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, typed, ORIGIN)
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 1
    failed = AuditEvent.objects.get(event=Event.SECOND_FACTOR_FAILED)
    assert failed.outcome == Outcome.FAILURE and failed.data["method"] == "totp"


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_code_lives_one_step_and_a_neighbouring_code_is_not_a_guess(
    hr_user, add_app, clock, offset
):
    """ASVS V6.5.5: a TOTP code is accepted for its own 30-second step only. The code of the
    step just before or after is refused without counting as a wrong guess."""
    device = add_app(hr_user)
    clock.shift(STEP)  # the step before is then not the one that confirmed the app
    with pytest.raises(CodeOutOfTime):
        verify_totp_code(hr_user, code_for(device, offset), ORIGIN)
    hr_user.refresh_from_db()
    assert hr_user.second_step_failures == 0
    verify_totp_code(hr_user, code_for(device), ORIGIN)  # the code shown now works


def test_a_code_is_refused_once_its_step_is_over(hr_user, add_app, clock):
    device = add_app(hr_user)
    clock.shift(STEP)
    typed = code_for(device)
    clock.shift(STEP)  # 30 seconds later: the step of the typed code has ended
    with pytest.raises(CodeOutOfTime):
        verify_totp_code(hr_user, typed, ORIGIN)


@pytest.mark.parametrize("offset", [-2, 2])
def test_codes_two_steps_away_are_refused(hr_user, add_app, offset):
    device = add_app(hr_user)
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, code_for(device, offset), ORIGIN)


def test_previous_code_is_refused_after_the_current_one_was_used(hr_user, add_app, clock):
    device = add_app(hr_user)
    clock.shift(STEP)
    previous, current = code_for(device, -1), code_for(device)
    verify_totp_code(hr_user, current, ORIGIN)
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, previous, ORIGIN)


def test_the_same_code_is_refused_in_the_next_step_too(hr_user, add_app, clock):
    device = add_app(hr_user)
    typed = code_for(device)
    verify_totp_code(hr_user, typed, ORIGIN)
    clock.shift(STEP)
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, typed, ORIGIN)
    verify_totp_code(hr_user, code_for(device), ORIGIN)


def test_each_app_has_its_own_last_step(hr_user, add_app):
    phone = add_app(hr_user, "Phone")
    tablet = add_app(hr_user, "Tablet")
    assert verify_totp_code(hr_user, code_for(phone), ORIGIN) == phone
    assert verify_totp_code(hr_user, code_for(tablet), ORIGIN) == tablet


def test_unconfirmed_apps_and_other_users_apps_do_not_count(hr_user, manager_user, add_app):
    others = add_app(manager_user)
    pending = start_totp_setup(hr_user)
    for typed in (code_for(others), code_for(pending)):
        with pytest.raises(CodeInvalid):
            verify_totp_code(hr_user, typed, ORIGIN)


def test_apps_stop_working_when_the_tenant_disallows_them(hr_user, tenant, add_app):
    device = add_app(hr_user)
    tenant.allowed_methods = ["sms"]
    tenant.save()
    hr_user.refresh_from_db()
    with pytest.raises(CodeInvalid):
        verify_totp_code(hr_user, code_for(device), ORIGIN)


def test_wrong_codes_block_at_the_tenant_threshold(hr_user, tenant, add_app):
    tenant.second_step_block_threshold = 3
    tenant.save()
    device = add_app(hr_user)
    bad = wrong(code_for(device))
    for _ in range(2):
        with pytest.raises(CodeInvalid):
            verify_totp_code(hr_user, bad, ORIGIN)
    with pytest.raises(AccountBlocked):
        verify_totp_code(hr_user, bad, ORIGIN)
    hr_user.refresh_from_db()
    assert hr_user.is_blocked
    assert AuditEvent.objects.filter(event=Event.ACCOUNT_BLOCKED, subject=hr_user).exists()


@pytest.mark.django_db(transaction=True)
def test_one_code_wins_only_once_under_concurrent_use(tenant, clock):
    """Eight threads submit the same code at once; exactly one is accepted (PostgreSQL)."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL for real concurrent transactions (run .ci/run)")
    user = UserFactory(tenant=tenant)
    device = start_totp_setup(user)
    confirm_totp_device(device, code_for(device), name="Phone")
    clock.shift(STEP)
    typed = code_for(device)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def attempt():
        try:
            barrier.wait()
            verify_totp_code(user, typed, Origin(ip="192.0.2.1"))
            results.append("ok")
        except CodeInvalid:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["refused"] * 7
    assert AuditEvent.objects.filter(event=Event.SECOND_FACTOR_OK, subject=user).count() == 1
    device.refresh_from_db()
    assert device.last_used_step == int(device.last_used_at.timestamp()) // STEP


# --- removing -------------------------------------------------------------------------------


def test_removing_an_app_audits_revokes_trust_and_notifies(hr_user, add_app):
    device = add_app(hr_user, "Old phone")
    trust_a_browser(hr_user)
    deliver_due()
    OutboxMessage.objects.all().delete()
    remove_totp_device(device, actor=hr_user, origin=ORIGIN)
    assert not TotpDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(event=Event.TOTP_REMOVED)
    assert event.subject == hr_user and event.actor == hr_user
    assert event.data == {"name": "Old phone"}
    assert not TrustedDevice.objects.filter(user=hr_user).exists()
    deliver_due()
    assert "Authenticator app removed" in OutboxMessage.objects.get(channel="email").body


def test_the_last_factor_cannot_be_removed(hr_user, tenant, add_app):
    tenant.allowed_methods = ["totp"]  # the phone does not count: the app is all there is
    tenant.save()
    device = add_app(hr_user)
    hr_user.refresh_from_db()
    with pytest.raises(LastFactorError):
        remove_totp_device(device, actor=hr_user, origin=ORIGIN)
    assert TotpDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(event=Event.TOTP_REMOVED).exists()
    # With a second app, either may go, but then not the other.
    second = add_app(hr_user, "Tablet")
    remove_totp_device(device, actor=hr_user, origin=ORIGIN)
    with pytest.raises(LastFactorError):
        remove_totp_device(second, actor=hr_user, origin=ORIGIN)


def test_removing_the_last_app_puts_the_default_back_to_sms(hr_user, add_app):
    phone, tablet = add_app(hr_user, "Phone"), add_app(hr_user, "Tablet")
    hr_user.preferred_method = "totp"
    hr_user.save()
    remove_totp_device(phone, actor=hr_user, origin=ORIGIN)
    hr_user.refresh_from_db()
    assert hr_user.preferred_method == "totp"
    remove_totp_device(tablet, actor=hr_user, origin=ORIGIN)
    hr_user.refresh_from_db()
    assert hr_user.preferred_method == "sms"


def test_removing_an_unfinished_setup_is_quiet(hr_user, clock):
    pending = start_totp_setup(hr_user)
    remove_totp_device(pending, actor=hr_user, origin=ORIGIN)
    assert not TotpDevice.objects.exists()
    assert not AuditEvent.objects.filter(event=Event.TOTP_REMOVED).exists()


def test_an_app_the_tenant_no_longer_allows_can_always_be_removed(hr_user, tenant, add_app):
    device = add_app(hr_user)
    tenant.allowed_methods = ["sms"]
    tenant.save()
    hr_user.refresh_from_db()
    remove_totp_device(device, actor=hr_user, origin=ORIGIN)
    assert not TotpDevice.objects.exists()


def test_support_removing_an_app_is_recorded_as_the_actor(hr_user, support_user, add_app):
    device = add_app(hr_user)
    remove_totp_device(device, actor=support_user, origin=ORIGIN)
    event = AuditEvent.objects.get(event=Event.TOTP_REMOVED)
    assert event.actor == support_user and event.subject == hr_user
