"""VERZUIM_LOCAL_ONLY lets production settings keep messages in the local outbox, and says so."""

from __future__ import annotations

from django.core import checks

from verzuim.core.checks import production_settings

OUTBOX_SMS = "verzuim.messaging.backends.outbox.OutboxSmsBackend"
OUTBOX_EMAIL = "verzuim.messaging.backends.outbox.OutboxEmailBackend"


def _production_with_outbox(settings, local_only: bool) -> None:
    settings.ENVIRONMENT = "production"
    settings.LOCAL_ONLY = local_only
    settings.SECRET_KEY = "k" * 64
    settings.DEBUG = False
    settings.SMS_BACKEND = OUTBOX_SMS
    settings.MESSAGING_EMAIL_BACKEND = OUTBOX_EMAIL
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_local_only_production_accepts_the_outbox_with_a_warning(settings):
    _production_with_outbox(settings, local_only=True)

    messages = production_settings()

    assert [(m.id, m.level) for m in messages] == [("verzuim.W001", checks.WARNING)]


def test_without_local_only_the_outbox_is_still_refused_in_production(settings):
    _production_with_outbox(settings, local_only=False)

    assert sorted(m.id for m in production_settings()) == ["verzuim.E003", "verzuim.E004"]


def test_the_health_check_answers_over_plain_http_while_pages_redirect_to_https(
    settings, client, tenant
):
    settings.SECURE_SSL_REDIRECT = True  # as in production (the test settings keep it off)

    health = client.get("/healthz")
    page = client.get("/accounts/login/")

    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert page.status_code == 301 and page["Location"].startswith("https://")
