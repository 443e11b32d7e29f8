"""Backup codes: hashed, single use (also under races), followed by a new set."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import is_postgres
from verzuim.audit.models import AuditEvent, Event
from verzuim.core.request import Origin
from verzuim.mfa.backup_codes import rules
from verzuim.mfa.backup_codes.actions import generate_backup_codes, use_backup_code
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.exceptions import CodeInvalid

pytestmark = pytest.mark.django_db


def test_generated_codes_are_random_well_formed_and_distinct():
    codes = rules.generate_set()
    assert len(codes) == 10 == len(set(codes))
    assert all(rules.looks_valid(c) for c in codes)
    assert rules.generate_set() != codes


def test_display_and_normalise_round_trip():
    code = rules.generate_code()
    assert rules.normalise(rules.display(code).upper()) == code
    assert rules.normalise(" ab cd-ef ") == "abcdef"


def test_codes_are_stored_only_as_password_hashes(hr_user):
    codes = generate_backup_codes(hr_user)
    stored = list(BackupCode.objects.filter(user=hr_user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert all(h.startswith("argon2$argon2id$") for h in stored)
    assert not any(code in h for code in codes for h in stored)


def test_new_set_invalidates_the_old_set(hr_user):
    old = generate_backup_codes(hr_user)
    generate_backup_codes(hr_user)
    with pytest.raises(CodeInvalid):
        use_backup_code(hr_user, old[0], Origin())


def login_with_backup_code(client, user, code, password):
    client.post("/accounts/login/", {"username": user.username, "password": password})
    return client.post("/accounts/verify/backup-code/", {"code": code})


def test_backup_code_logs_in_once_and_leads_to_a_new_set(client, hr_user, password):
    codes = generate_backup_codes(hr_user)
    response = login_with_backup_code(client, hr_user, rules.display(codes[0]).upper(), password)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/verify/backup-codes/new/"
    page = client.get(response["Location"]).content.decode()
    assert "You just used a backup code. You have 9 unused codes left." in page
    shown = client.post("/accounts/verify/backup-codes/new/", {"generate": "1"}).content.decode()
    assert shown.count("<li><code>") == 10
    saved = client.post("/accounts/verify/backup-codes/saved/", {"saved": "on"})
    assert saved["Location"] == "/"
    assert AuditEvent.objects.filter(event=Event.BACKUP_CODE_USED, subject=hr_user).exists()
    # The code used, and every other old one, no longer works.
    again = login_with_backup_code(Client(), hr_user, codes[1], password)
    assert again.status_code == 200
    assert "incorrect or has already been used" in again.content.decode()


def test_used_backup_code_does_not_work_twice(client, hr_user, password):
    codes = generate_backup_codes(hr_user)
    assert login_with_backup_code(client, hr_user, codes[0], password).status_code == 302
    second = login_with_backup_code(Client(), hr_user, codes[0], password)
    assert second.status_code == 200
    assert "already been used" in second.content.decode()


def test_wrong_backup_codes_count_towards_blocking(client, tenant, hr_user, password):
    tenant.second_step_block_threshold = 3
    tenant.save()
    generate_backup_codes(hr_user)
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    statuses = [
        client.post("/accounts/verify/backup-code/", {"code": "zzzz-zzzz-zz"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 403]


def test_confirming_without_ticking_the_box_explains(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.post("/accounts/verify/backup-codes/saved/", {}, follow=True)
    assert "Confirm that you saved the codes" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_one_backup_code_wins_only_once_under_concurrent_use(hr_user):
    """Eight threads submit the same code at once; exactly one may log in (PostgreSQL)."""
    if not is_postgres():
        pytest.skip("needs PostgreSQL for real concurrent transactions (run .ci/run)")
    code = generate_backup_codes(hr_user)[0]
    barrier = threading.Barrier(8)
    results: list[str] = []

    def attempt():
        try:
            barrier.wait()
            use_backup_code(hr_user, code, Origin(ip="192.0.2.1"))
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
    assert BackupCode.objects.filter(user=hr_user, used_at__isnull=False).count() == 1


def test_home_urges_users_without_backup_codes_to_make_them(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    assert "You have no backup codes" in client.get("/").content.decode()
    generate_backup_codes(hr_user)
    assert "You have no backup codes" not in client.get("/").content.decode()
