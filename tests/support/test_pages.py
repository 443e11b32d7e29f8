"""Search, the user page (never a secret on it), error codes and the audit log."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from tests.support.conftest import REASON, log_in
from verzuim.accounts.models import UserSession
from verzuim.audit.actions import record
from verzuim.audit.models import AuditEvent, Event, Outcome
from verzuim.core.models import ErrorReport
from verzuim.mfa.backup_codes.actions import generate_backup_codes
from verzuim.mfa.totp.models import TotpDevice
from verzuim.support import export
from verzuim.support.queries import MAX_RESULTS

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "tom.target",
        "TOM.TAR",
        "Jansen",
        "tom jansen",
        "TOM@werkgever",
        "06 1234 5678",
        "+31 6 12345678",
        "0031612345678",
        "345678",
    ],
)
def test_search_finds_by_login_name_name_email_or_phone(support_client, target, query):
    page = text(support_client.get("/support/", {"q": query}))
    assert f'href="/support/users/{target.pk}/"' in page


def test_search_shows_the_status(support_client, tenant, target):
    UserFactory(tenant=tenant, username="bob.blocked", blocked=True)
    UserFactory(tenant=tenant, username="nina.new", activated_at=None)
    UserFactory(tenant=tenant, username="dirk.gone", is_active=False)
    page = text(support_client.get("/support/", {"q": "jan"}))
    for status in ("active", "blocked", "not yet activated", "deactivated"):
        assert f">{status}</span>" in page, status


def test_search_stays_within_the_tenant(support_client, foreign_user):
    page = text(support_client.get("/support/", {"q": foreign_user.email}))
    assert "No users of this portal match your search." in page


def test_search_shows_at_most_50(support_client, tenant):
    for n in range(MAX_RESULTS + 3):
        UserFactory(tenant=tenant, username=f"bulk{n:03d}")
    page = text(support_client.get("/support/", {"q": "bulk"}))
    assert page.count('href="/support/users/') == MAX_RESULTS
    assert "Only the first 50 matches are shown" in page


def test_empty_search_shows_no_results(support_client):
    page = text(support_client.get("/support/", {"q": "  "}))
    assert 'id="results"' not in page


# --- the user page --------------------------------------------------------------------------


def test_user_page_shows_status_roles_factors_and_logins(support_client, target):
    TotpDevice.objects.create(
        user=target, name="Work phone", secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    generate_backup_codes(target, codes=["ABCD-EFGH-JKMN", "PQRS-TVWX-YZ23"])
    log_in(Client(), target)
    page = text(support_client.get(f"/support/users/{target.pk}/"))
    assert "Employer / HR" in page
    assert "+31 •••••••78" in page and "confirmed" in page
    assert "+31612345678" not in page
    assert "Work phone" in page and "1 authenticator app" in page
    assert "2 backup codes left" in page
    assert "Logged in" in page
    assert "Unblock the account" not in page  # not blocked


def test_no_secret_on_any_support_page(support_client, support_user, target):
    device = TotpDevice.objects.create(
        user=target, name="App", secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    generate_backup_codes(target, codes=["ABCD-EFGH-JKMN"])
    log_in(Client(), target)
    session_key = UserSession.objects.filter(user=target).first().session_key
    target.refresh_from_db()
    post = {"phone-phone": "06 87654321", "phone-reason": REASON}
    support_client.post(f"/support/users/{target.pk}/phone/", post)
    responses = [
        support_client.get("/support/", {"q": "tom"}),
        support_client.get(f"/support/users/{target.pk}/"),
        support_client.get("/support/audit/"),
        support_client.get("/support/audit/export/"),
        support_client.post(f"/support/users/{target.pk}/factors/", {"factors-reason": "x"}),
    ]
    secrets = [
        target.password,
        device.secret,
        "ABCD-EFGH-JKMN",
        "ABCDEFGHJKMN",
        session_key,
        support_user.password,
    ]
    for response in responses:
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (response.request["PATH_INFO"], secret[:8])
    assert "log in as" not in responses[1].content.decode().lower()


def test_blocked_user_page_offers_unblock(support_client, tenant):
    blocked = UserFactory(tenant=tenant, blocked=True)
    page = text(support_client.get(f"/support/users/{blocked.pk}/"))
    assert "Unblock the account" in page


def test_own_page_offers_no_reset(support_client, support_user):
    page = text(support_client.get(f"/support/users/{support_user.pk}/"))
    assert "This is your own account" in page
    assert "Deactivate the account" not in page


def test_unknown_user_is_404(support_client):
    assert support_client.get("/support/users/999999/").status_code == 404


# --- error codes ----------------------------------------------------------------------------


@pytest.fixture
def reports(tenant, other_tenant, target, foreign_user):
    ours = ErrorReport.objects.create(
        reference="K7QM-2XDA",
        status=500,
        path="/absence/12/",
        user=target,
        tenant=tenant,
        error_type="ValueError",
    )
    theirs = ErrorReport.objects.create(
        reference="AB12-CD34",
        status=500,
        path="/secret/",
        user=foreign_user,
        tenant=other_tenant,
        error_type="KeyError",
    )
    return ours, theirs


def test_error_lookup_in_any_case_and_spacing(support_client, support_user, reports, target):
    page = text(support_client.get("/support/errors/", {"code": " k7qm 2xda "}))
    assert "/absence/12/" in page and "ValueError" in page and "500" in page
    assert f'href="/support/users/{target.pk}/"' in page
    row = AuditEvent.objects.get(event=Event.SUPPORT_ERROR_LOOKUP)
    assert row.actor == support_user and row.subject == target
    assert row.data == {"reference": "K7QM-2XDA", "found": True}


def test_error_lookup_of_another_tenant_is_not_found(support_client, reports):
    page = text(support_client.get("/support/errors/", {"code": "AB12-CD34"}))
    assert "No error with code AB12-CD34 was found" in page
    assert "/secret/" not in page
    row = AuditEvent.objects.get(event=Event.SUPPORT_ERROR_LOOKUP)
    assert row.data["found"] is False and row.subject is None


def test_error_lookup_of_nonsense(support_client, reports):
    page = text(support_client.get("/support/errors/", {"code": "hello"}))
    assert "This is not a valid reference code." in page


def test_error_lookup_anonymous_error(support_client, tenant):
    ErrorReport.objects.create(reference="ZZZZ-1111", status=404, path="/x/", tenant=tenant)
    page = text(support_client.get("/support/errors/", {"code": "zzzz1111"}))
    assert "not logged in" in page


# --- audit log ------------------------------------------------------------------------------


def test_audit_log_filters_and_pages(support_client, tenant, other_tenant, target):
    for n in range(55):
        record(
            Event.LOGIN_PASSWORD_FAILED,
            tenant=tenant,
            outcome=Outcome.FAILURE,
            login_name=f"guess{n}",
        )
    record(Event.LOGIN_PASSWORD_FAILED, tenant=other_tenant, login_name="foreign.guess")
    page = text(support_client.get("/support/audit/", {"event": Event.LOGIN_PASSWORD_FAILED}))
    assert "55 events" in page and "Page 1 of 2" in page
    assert "foreign.guess" not in page
    page2 = text(
        support_client.get("/support/audit/", {"event": Event.LOGIN_PASSWORD_FAILED, "page": 2})
    )
    assert "Page 2 of 2" in page2
    page = text(support_client.get("/support/audit/", {"user": "guess7"}))
    assert "1 event" in page
    today = timezone.localdate()
    page = text(
        support_client.get(
            "/support/audit/",
            {
                "user": "guess7",
                "date_from": today - timezone.timedelta(1),
                "date_to": today - timezone.timedelta(1),
            },
        )
    )
    assert "0 events" in page


def test_audit_log_rejects_a_reversed_period(support_client):
    page = text(
        support_client.get("/support/audit/", {"date_from": "2026-02-02", "date_to": "2026-01-01"})
    )
    assert "The end date lies before the start date." in page
    response = support_client.get(
        "/support/audit/export/", {"date_from": "2026-02-02", "date_to": "2026-01-01"}
    )
    assert response.status_code == 302


def test_csv_export(support_client, support_user, tenant, other_tenant, target):
    record(
        Event.LOGIN_PASSWORD_FAILED,
        tenant=tenant,
        outcome=Outcome.FAILURE,
        login_name='=HYPERLINK("http://evil.example","x")',
    )
    record(Event.LOGIN_PASSWORD_FAILED, tenant=tenant, login_name="+1+2")
    record(Event.LOGIN_PASSWORD_FAILED, tenant=tenant, login_name="@SUM(A1)")
    record(Event.LOGIN_PASSWORD_FAILED, tenant=tenant, login_name="-2")
    record(Event.LOGIN_PASSWORD_FAILED, tenant=tenant, login_name="\tx")
    record(Event.LOGIN_PASSWORD_FAILED, tenant=other_tenant, login_name="foreign.guess")
    record(Event.ACCOUNT_UNBLOCKED, actor=support_user, subject=target, data={"reason": REASON})
    response = support_client.get("/support/audit/export/", {"event": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "time",
        "event",
        "outcome",
        "actor",
        "subject",
        "login name entered",
        "ip",
        "reference",
        "details",
    ]
    login_names = [r[5] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in login_names
    assert {"'+1+2", "'@SUM(A1)", "'-2", "'\tx"} <= set(login_names)
    assert "foreign.guess" not in response.content.decode()
    unblocked = next(r for r in rows if r[1] == "Account unblocked")
    assert unblocked[3] == support_user.username and unblocked[4] == target.username
    assert REASON in unblocked[8]
    export_row = AuditEvent.objects.get(event=Event.SUPPORT_AUDIT_EXPORT)
    assert export_row.actor == support_user and export_row.data["rows"] == len(rows) - 1


def test_csv_export_uses_the_same_filters(support_client, tenant):
    record(Event.LOGIN_PASSWORD_FAILED, tenant=tenant, login_name="alpha")
    record(Event.LOGIN_THROTTLED, tenant=tenant, login_name="alpha")
    response = support_client.get(
        "/support/audit/export/", {"user": "alpha", "event": Event.LOGIN_THROTTLED}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][5] == "alpha"
    row = AuditEvent.objects.get(event=Event.SUPPORT_AUDIT_EXPORT)
    assert row.data["filters"] == {"user": "alpha", "event": Event.LOGIN_THROTTLED}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31", "'+31"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (12, "12"),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(value, expected):
    assert export.safe_cell(value) == expected


def test_nav_links(support_client):
    page = text(support_client.get("/support/"))
    for href in ("/support/", "/support/errors/", "/support/audit/"):
        assert f'href="{href}"' in page
