"""Production refuses to start with development settings (system checks verzuim.E001–E005)."""

from __future__ import annotations

import pytest
from django.core import checks

from verzuim.core.checks import production_settings

SAFE = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
    "DEBUG": False,
    "SMS_BACKEND": "verzuim.messaging.backends.twilio.TwilioSmsBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "MESSAGING_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
}


@pytest.fixture
def production(settings):
    for name, value in SAFE.items():
        setattr(settings, name, value)
    return settings


def error_ids(errors: list[checks.CheckMessage]) -> list[str]:
    return sorted(e.id for e in errors if e.id and e.id.startswith("verzuim."))


def test_a_proper_production_configuration_passes(production):
    assert production_settings() == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"SECRET_KEY": "insecure-development-key-do-not-use-in-production"}, "verzuim.E001"),
    ({"SECRET_KEY": "short-but-not-the-default"}, "verzuim.E001"),
    ({"DEBUG": True}, "verzuim.E002"),
    ({"SMS_BACKEND": "verzuim.messaging.backends.outbox.OutboxSmsBackend"}, "verzuim.E003"),
    ({"EMAIL_BACKEND": "verzuim.messaging.backends.outbox.OutboxEmailBackend",
      "MESSAGING_EMAIL_BACKEND": "verzuim.messaging.backends.outbox.OutboxEmailBackend"},
     "verzuim.E004"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
      "MESSAGING_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
     "verzuim.E004"),
    ({"TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}},
     "verzuim.E005"),
])
def test_each_development_setting_is_refused_in_production(production, changes, expected):
    for name, value in changes.items():
        setattr(production, name, value)

    errors = production_settings()

    assert error_ids(errors) == [expected]
    assert all(e.level == checks.ERROR and e.hint for e in errors)


def test_the_check_is_registered_and_reports_everything_at_once(production):
    production.SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    production.DEBUG = True
    production.SMS_BACKEND = "verzuim.messaging.backends.outbox.OutboxSmsBackend"
    production.MESSAGING_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    production.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    assert error_ids(checks.run_checks()) == [
        "verzuim.E001", "verzuim.E002", "verzuim.E003", "verzuim.E004", "verzuim.E005"]


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_settings_are_fine_outside_production(settings, environment):
    settings.ENVIRONMENT = environment
    settings.SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    settings.DEBUG = True
    settings.SMS_BACKEND = "verzuim.messaging.backends.outbox.OutboxSmsBackend"
    settings.MESSAGING_EMAIL_BACKEND = "verzuim.messaging.backends.outbox.OutboxEmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    assert production_settings() == []
    assert error_ids(checks.run_checks()) == []
