"""The audit log is append-only and never holds passwords or codes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import last_sms_code
from verzuim.audit.actions import record
from verzuim.audit.models import AuditEvent, Event
from verzuim.mfa.backup_codes.actions import generate_backup_codes

pytestmark = pytest.mark.django_db


def test_rows_cannot_be_changed_or_deleted_through_the_orm(hr_user):
    event = record(Event.LOGIN_SUCCEEDED, subject=hr_user)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome="failure")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_database_refuses_raw_updates_and_deletes(hr_user):
    event = record(Event.LOGIN_SUCCEEDED, subject=hr_user)
    for sql in (
        "UPDATE audit_auditevent SET outcome = 'failure' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).outcome == "success"


def test_secret_keys_are_refused(hr_user):
    with pytest.raises(ValueError):
        record(Event.LOGIN_SUCCEEDED, subject=hr_user, data={"password": "x"})


def test_a_whole_login_leaves_no_secret_in_the_audit_log(client, hr_user, password):
    codes = generate_backup_codes(hr_user)
    client.post("/accounts/login/", {"username": hr_user.username, "password": "Wrong-Pass-1"})
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    sms = last_sms_code()
    client.post("/accounts/verify/sms/", {"code": "000000" if sms != "000000" else "111111"})
    client.post("/accounts/verify/sms/", {"code": sms})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": hr_user.username, "password": password})
    client.post("/accounts/verify/backup-code/", {"code": codes[0]})
    dump = " ".join(f"{e.login_name} {e.data} {e.user_agent}" for e in AuditEvent.objects.all())
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {
        Event.LOGIN_PASSWORD_FAILED,
        Event.LOGIN_PASSWORD_OK,
        Event.SMS_SENT,
        Event.SECOND_FACTOR_FAILED,
        Event.LOGIN_SUCCEEDED,
        Event.LOGOUT,
        Event.BACKUP_CODE_USED,
        Event.BACKUP_CODES_GENERATED,
    } <= events
    for secret in [password, "Wrong-Pass-1", sms, *codes]:
        assert secret not in dump
    assert all(e.tenant_id == hr_user.tenant_id for e in AuditEvent.objects.all())
