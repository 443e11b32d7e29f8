"""The activation actions on their own: refusals and idempotence."""

from __future__ import annotations

import pytest

from verzuim.accounts.activation.actions import (
    AlreadyActivated,
    complete_activation,
    confirm_phone,
    set_initial_password,
)
from verzuim.accounts.activation.forms import minimum_password_length
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.request import SYSTEM

pytestmark = pytest.mark.django_db


def test_an_activated_account_gets_no_initial_password(hr_user):
    with pytest.raises(AlreadyActivated):
        set_initial_password(hr_user, "Een heel ander wachtwoord", SYSTEM)


def test_activation_is_recorded_once(invited_user):
    assert complete_activation(invited_user, SYSTEM)
    assert invited_user.activated_at is not None
    assert not complete_activation(invited_user, SYSTEM)
    assert AuditEvent.objects.filter(event=Event.ACCOUNT_ACTIVATED).count() == 1


def test_confirming_the_phone_records_only_its_last_digits(invited_user):
    confirm_phone(invited_user, SYSTEM)
    invited_user.refresh_from_db()
    assert invited_user.phone_verified_at is not None
    event = AuditEvent.objects.get(event=Event.PHONE_CONFIRMED)
    assert event.data == {"ending": "70"}


def test_the_stated_minimum_length_follows_the_validators(settings):
    assert minimum_password_length() == 8
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"}
    ]
    assert minimum_password_length() == 0
