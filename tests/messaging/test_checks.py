from __future__ import annotations

from verzuim.messaging.checks import lease_outlasts_provider_timeouts


def test_lease_longer_than_provider_timeouts_is_fine(settings):
    settings.MESSAGE_LEASE_SECONDS = 60
    settings.TWILIO_TIMEOUT_SECONDS, settings.EMAIL_TIMEOUT = 10, 30

    assert lease_outlasts_provider_timeouts() == []


def test_lease_shorter_than_a_provider_timeout_warns(settings):
    settings.MESSAGE_LEASE_SECONDS = 10
    settings.TWILIO_TIMEOUT_SECONDS, settings.EMAIL_TIMEOUT = 5, 10

    [warning] = lease_outlasts_provider_timeouts()

    assert warning.id == "messaging.W001"
