from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.factories import PASSWORD, TenantFactory, UserFactory
from verzuim.accounts.hashers import OwaspArgon2idHasher
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage

# One Chromium per test process, shared by every browser scenario.
pytest_plugins = ["tests.browser_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the shared cache (Redis in the PostgreSQL lane): every
    test starts with none, whatever earlier tests in this process or lane did."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_interface(settings):
    """Tests read the English source texts; tests/test_i18n.py checks the Dutch default."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def tenant(db):
    return TenantFactory(
        slug="demo", host="testserver", name="Arbodienst Demo", support_email="support@demo.example"
    )


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="andere", host="andere.verzuim.test", name="Andere Arbodienst")


@pytest.fixture
def hr_user(tenant):
    return UserFactory(tenant=tenant, username="hanna.hr", first_name="Hanna")


@pytest.fixture
def manager_user(tenant):
    return UserFactory(tenant=tenant, username="mark.manager", roles=["manager"])


@pytest.fixture
def case_manager_user(tenant):
    return UserFactory(tenant=tenant, username="cas.casemanager", roles=["case_manager"])


@pytest.fixture
def physician_user(tenant):
    return UserFactory(tenant=tenant, username="bea.bedrijfsarts", roles=["physician"])


@pytest.fixture
def support_user(tenant):
    return UserFactory(tenant=tenant, username="sanne.support", support=True)


@pytest.fixture
def foreign_user(other_tenant):
    """A user at another tenant, who must see nothing of ours."""
    return UserFactory(tenant=other_tenant, username="hanna.hr")


@pytest.fixture
def password():
    return PASSWORD


def last_sms_code(to: str | None = None) -> str:
    # Test transactions never commit, so run the worker's delivery step right here.
    deliver_due()
    messages = OutboxMessage.objects.filter(channel="sms")
    if to:
        messages = messages.filter(to=to)
    message = messages.order_by("-created", "-id").first()
    assert message is not None, "no SMS in the outbox"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def confirm_password(client, password: str, next_url: str = "/settings/security/") -> None:
    """Step 1 of a re-authentication: the password (the second factor follows)."""
    response = client.post(
        "/accounts/verify/again/", {"action": "password", "password": password, "next": next_url}
    )
    assert response.status_code == 200 and "Step 2 of 2" in response.content.decode()


@pytest.fixture
def sms_code():
    return last_sms_code


@pytest.fixture
def login_password_step(client, password):
    def step(user, pw=None):
        return client.post(
            "/accounts/login/", {"username": user.username, "password": pw or password}
        )

    return step


@pytest.fixture
def logged_in_client(client, login_password_step, sms_code):
    def login(user):
        response = login_password_step(user)
        assert response.status_code == 302, response.content[:500]
        response = client.post("/accounts/verify/sms/", {"code": sms_code(user.phone)})
        assert response.status_code == 302
        return client

    return login


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True, scope="session")
def _require_postgres_when_asked(django_db_setup, django_db_blocker):
    if os.environ.get("VERZUIM_REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        pytest.exit("VERZUIM_REQUIRE_POSTGRES is set but the database is not PostgreSQL", 3)


def pytest_collection_modifyitems(items):
    """Every transactional test gets the audit clean-up below (see its docstring)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction"):
            item.fixturenames.append("_audit_log_flushable")


@pytest.fixture
def _audit_log_flushable(transactional_db: None) -> Iterator[None]:
    """Let the transactional test's flush empty the audit table on SQLite.

    The audit table refuses DELETE through a trigger. PostgreSQL's flush uses TRUNCATE,
    which row triggers do not see; SQLite's flush is a DELETE, which they do. This fixture is
    torn down just before the flush: it empties the audit table with the triggers briefly
    dropped, then restores them exactly as the migration made them.
    """
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("verzuim.audit.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditevent")
        for sql in migration.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def hasher_calls(monkeypatch):
    """Counts every argon2 verify/encode: the expensive work an attacker could time."""
    calls: list[str] = []
    original_verify, original_encode = OwaspArgon2idHasher.verify, OwaspArgon2idHasher.encode

    def verify(self, password, encoded):
        calls.append("verify")
        return original_verify(self, password, encoded)

    def encode(self, password, salt):
        calls.append("encode")
        return original_encode(self, password, salt)

    monkeypatch.setattr(OwaspArgon2idHasher, "verify", verify)
    monkeypatch.setattr(OwaspArgon2idHasher, "encode", encode)
    return calls
