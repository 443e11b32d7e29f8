"""Operational rows past their term are removed daily; younger ones stay
(docs/security/data-classification.md, "Retention schedule"; ASVS V14.2.4)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from verzuim.accounts.models import Throttle, TrustedDevice, UserSession
from verzuim.core.housekeeping import clean_up
from verzuim.core.models import ErrorReport
from verzuim.help.models import SupportRequest
from verzuim.messaging.models import OutgoingMessage, Status

DAY = timedelta(days=1)


@pytest.fixture
def rows(tenant, hr_user):
    """One row just past its term and one just inside it, of every kind."""
    now = timezone.now()
    made = {}
    for age, label in ((366 * DAY, "old"), (364 * DAY, "young")):
        report = ErrorReport.objects.create(reference=label[:9], status=500, path="/x/",
                                            tenant_id=tenant.pk)
        ErrorReport.objects.filter(pk=report.pk).update(created=now - age)
        request = SupportRequest.objects.create(
            tenant=tenant, user=hr_user, subject=label, message="m",
        )
        request.screenshot.save(f"{label}.png", ContentFile(b"\x89PNG..."), save=True)
        SupportRequest.objects.filter(pk=request.pk).update(updated=now - age)
        made[f"report_{label}"], made[f"request_{label}"] = report, request
    for age, label in ((91 * DAY, "old"), (89 * DAY, "young")):
        made[f"message_{label}"] = OutgoingMessage.objects.create(
            tenant=tenant, channel="email", to="a@example.org", body="b", status=Status.SENT,
            created_at=now - age,
        )
    made["message_queued_old"] = OutgoingMessage.objects.create(
        tenant=tenant, channel="email", to="a@example.org", body="b", status=Status.QUEUED,
        created_at=now - 200 * DAY,
    )
    for age, label in ((31 * DAY, "old"), (29 * DAY, "young")):
        made[f"throttle_{label}"] = Throttle.objects.create(
            scope="account", key=f"k-{label}", failures=3, last_failure_at=now - age,
            blocked_until=now - age,
        )
        made[f"trusted_{label}"] = TrustedDevice.objects.create(user=hr_user,
                                                               expires_at=now - age)
    made["session_old"] = UserSession.objects.create(
        session_key="a" * 40, session_data="", expire_date=now - DAY, user=hr_user)
    made["session_young"] = UserSession.objects.create(
        session_key="b" * 40, session_data="", expire_date=now + DAY, user=hr_user)
    return made


def _exists(obj) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


def test_rows_past_their_term_go_and_younger_ones_stay(rows):
    storage = rows["request_old"].screenshot.storage
    old_file = rows["request_old"].screenshot.name
    young_file = rows["request_young"].screenshot.name
    counts = clean_up()
    for name, obj in rows.items():
        expected = name.endswith("_young") or name == "message_queued_old"
        assert _exists(obj) is expected, name
    assert not storage.exists(old_file) and storage.exists(young_file)
    assert counts["error_reports"] == 1 and counts["support_requests"] == 1
    assert counts["sessions"] == 1 and counts["messages"] == 1


def test_a_dry_run_counts_and_removes_nothing(rows):
    counts = clean_up(dry_run=True)
    assert counts["error_reports"] == 1 and counts["trusted_browsers"] == 1
    assert all(_exists(obj) for obj in rows.values())


def test_the_command_reports_counts(rows):
    out = io.StringIO()
    call_command("clean_up", "--dry-run", stdout=out)
    assert "Would remove 1 error reports" in out.getvalue()
    assert all(_exists(obj) for obj in rows.values())


def test_the_worker_runs_the_clean_up_once_a_day_with_the_daily_jobs(rows, monkeypatch):
    from verzuim.absence import tasks

    local = timezone.localtime().replace(hour=7)
    monkeypatch.setattr(tasks.timezone, "localtime", lambda: local)
    assert tasks.CLEAN_UP in tasks.enqueue_daily_jobs()  # the test task backend runs it now
    assert not _exists(rows["report_old"]) and _exists(rows["report_young"])
    assert tasks.enqueue_daily_jobs() == []
