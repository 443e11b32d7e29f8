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


# --- V12.3.1: connections that leave the machine are encrypted -------------------------------

from verzuim.core.checks import database_is_protected, encrypted_backend_connections  # noqa: E402

PG = "django.db.backends.postgresql"


def _database(host, **options):
    return {"ENGINE": PG, "HOST": host, "OPTIONS": options}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "", "/var/run/postgresql"])
def test_a_local_database_may_go_without_tls(host):
    assert database_is_protected(_database(host))


@pytest.mark.parametrize(("options", "expected"), [
    ({}, False),
    ({"sslmode": "prefer"}, False),
    ({"sslmode": "disable"}, False),
    ({"sslmode": "require"}, False),  # encrypted, but the server is not checked
    ({"sslmode": "verify-ca"}, False),
    ({"sslmode": "verify-full"}, True),
])
def test_a_remote_database_needs_an_encrypting_sslmode(options, expected):
    assert database_is_protected(_database("db.internal.example", **options)) is expected


def test_an_unprotected_database_fails_the_deploy_check(production, monkeypatch):
    monkeypatch.setattr("verzuim.core.checks.database_is_protected", lambda database: False)
    assert error_ids(encrypted_backend_connections()) == ["verzuim.E006"]


def test_dj_database_url_hands_sslmode_to_libpq():
    import dj_database_url

    parsed = dj_database_url.parse("postgres://app@db.internal.example/verzuim?sslmode=verify-full")
    assert database_is_protected(parsed)


@pytest.mark.parametrize(("url", "expected"), [
    ("redis://127.0.0.1:6379/0", []),
    ("redis://cache.internal.example:6379/0", ["verzuim.E007"]),
    ("rediss://cache.internal.example:6380/0", []),
    ("rediss://cache.internal.example:6380/0?ssl_cert_reqs=none", ["verzuim.E007"]),
    ("", []),
])
def test_a_remote_redis_needs_tls(production, url, expected):
    production.REDIS_URL = url
    assert error_ids(encrypted_backend_connections()) == expected


@pytest.mark.parametrize(("host", "tls", "ssl", "expected"), [
    ("smtp.example", False, False, ["verzuim.E008"]),
    ("smtp.example", True, False, []),
    ("smtp.example", False, True, []),
    ("localhost", False, False, []),
])
def test_remote_smtp_needs_tls(production, host, tls, ssl, expected):
    production.EMAIL_HOST, production.EMAIL_USE_TLS, production.EMAIL_USE_SSL = host, tls, ssl
    assert error_ids(encrypted_backend_connections()) == expected


def test_transport_rules_apply_to_production_only(settings):
    settings.ENVIRONMENT = "development"
    settings.REDIS_URL = "redis://cache.internal.example:6379/0"
    assert encrypted_backend_connections() == []


def test_smtp_over_tls_verifies_the_server_certificate():
    """V12.3.2: Django's SMTP backend uses a default context: certificate and name checked."""
    import ssl

    from django.core.mail.backends.smtp import EmailBackend

    context = EmailBackend(use_tls=True).ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
