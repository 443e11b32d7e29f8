"""Error pages: branded, Dutch, with a reference code that support can find in the log and
in the ErrorReport table — and never the exception text, the query string or form data."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.core.pages import body, shown, shown_reference
from tests.core.urls_errors import SECRET_DETAIL
from verzuim.core.models import ErrorReport

ERRORS_URLCONF = "tests.core.urls_errors"


def records_with(caplog, reference: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "verzuim.core.errors" and reference in r.getMessage()]


def database_down(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def error_report_table_broken(execute, sql, params, many, context):
    if "core_errorreport" in sql:
        raise OperationalError("disk I/O error")
    return execute(sql, params, many, context)


# --- 404 ------------------------------------------------------------------------------------

def test_404_shows_the_reference_code_that_is_also_in_the_log(visitor, error_log):
    response = visitor.get("/no-such-page/")

    assert response.status_code == 404
    reference = shown_reference(response)
    assert shown("Page not found") in body(response)
    [record] = records_with(error_log, reference)
    assert record.levelno == logging.INFO
    assert "404" in record.getMessage()


def test_404_page_is_branded_and_offers_a_way_on(visitor, tenant):
    response = visitor.get("/no-such-page/")

    html = body(response)
    reference = shown_reference(response)
    assert tenant.name in html
    assert 'class="sidebar"' in html  # the full layout, with help
    assert f'href="mailto:{tenant.support_email}?subject=' in html
    assert f"%20{reference}" in html  # the code is in the e-mail's subject
    assert 'href="/"' in html


def test_each_error_page_gets_its_own_code(visitor):
    first = shown_reference(visitor.get("/no-such-page/"))
    second = shown_reference(visitor.get("/no-such-page/"))
    assert first != second


def test_404_is_stored_for_support_without_query_string(visitor, tenant):
    response = visitor.get("/no-such-page/", {"bsn": "123456782", "token": "s3cret"})

    reference = shown_reference(response)
    report = ErrorReport.objects.get(reference=reference)
    assert report.status == 404
    assert report.path == "/no-such-page/"
    assert report.tenant == tenant
    assert report.user is None
    assert report.error_type == "Resolver404"
    assert report.created is not None
    stored = str(ErrorReport.objects.filter(pk=report.pk).values().get())
    assert "123456782" not in stored and "s3cret" not in stored


# --- 500 ------------------------------------------------------------------------------------

@pytest.mark.urls(ERRORS_URLCONF)
def test_500_shows_reference_code_but_no_exception_details(visitor, error_log, tenant):
    response = visitor.get("/test-errors/boom/", {"q": "bsn 123456782"})

    assert response.status_code == 500
    html = body(response)
    reference = shown_reference(response)
    assert shown("Something went wrong") in html
    assert tenant.name in html
    for leak in (SECRET_DETAIL, "secret-detail", "Traceback", "RuntimeError", "urls_errors"):
        assert leak not in html
    records = records_with(error_log, reference)
    assert [r.levelno for r in records] == [logging.ERROR]
    assert SECRET_DETAIL not in records[0].getMessage()

    report = ErrorReport.objects.get(reference=reference)
    assert (report.status, report.path, report.error_type) == (500, "/test-errors/boom/",
                                                               "RuntimeError")
    stored = str(ErrorReport.objects.filter(pk=report.pk).values().get())
    assert SECRET_DETAIL not in stored and "123456782" not in stored


@pytest.mark.urls(ERRORS_URLCONF)
def test_500_of_a_logged_in_user_records_who_saw_it(logged_in_client, hr_user):
    client = logged_in_client(hr_user)
    client.raise_request_exception = False

    response = client.get("/test-errors/boom/")

    assert response.status_code == 500
    report = ErrorReport.objects.get(reference=shown_reference(response))
    assert report.user == hr_user
    assert report.tenant == hr_user.tenant


@pytest.mark.urls(ERRORS_URLCONF)
def test_500_page_still_renders_when_the_database_is_down(logged_in_client, hr_user):
    client = logged_in_client(hr_user)  # a session, so the layout would need the database
    client.raise_request_exception = False

    with connection.execute_wrapper(database_down):
        response = client.get("/accounts/login/")

    assert response.status_code == 500
    html = body(response)
    reference = shown_reference(response)
    assert 'class="plain-error"' in html  # the plain fallback, not the layout
    assert shown("Something went wrong") in html
    assert "could not connect" not in html and "OperationalError" not in html
    assert html.rstrip().endswith("</html>")
    # Nothing could be stored, and nothing broke because of it.
    assert not ErrorReport.objects.filter(reference=reference).exists()


def test_error_page_appears_even_when_storing_the_report_fails(visitor, error_log):
    with connection.execute_wrapper(error_report_table_broken):
        response = visitor.get("/no-such-page/")

    assert response.status_code == 404
    reference = shown_reference(response)
    assert 'class="sidebar"' in body(response)  # still the full branded page
    assert not ErrorReport.objects.filter(reference=reference).exists()
    assert any(r.levelno == logging.WARNING for r in records_with(error_log, reference))


# --- 400 / 403 ------------------------------------------------------------------------------

@pytest.mark.urls(ERRORS_URLCONF)
def test_403_page_for_permission_denied(visitor):
    response = visitor.get("/test-errors/deny/")

    assert response.status_code == 403
    html = body(response)
    assert shown("No access") in html
    assert SECRET_DETAIL not in html
    report = ErrorReport.objects.get(reference=shown_reference(response))
    assert (report.status, report.error_type) == (403, "PermissionDenied")


@pytest.mark.urls(ERRORS_URLCONF)
def test_400_page_for_a_suspicious_request(visitor):
    response = visitor.get("/test-errors/suspicious/")

    assert response.status_code == 400
    assert shown("Invalid request") in body(response)
    assert SECRET_DETAIL not in body(response)
    report = ErrorReport.objects.get(reference=shown_reference(response))
    assert (report.status, report.error_type) == (400, "SuspiciousOperation")


def test_forged_host_header_gets_400_without_echoing_the_host(visitor):
    response = visitor.get("/accounts/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    shown_reference(response)
    assert "evil.example" not in body(response)


# --- CSRF -----------------------------------------------------------------------------------

def test_csrf_failure_explains_what_to_do(tenant, hr_user, password):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": hr_user.username,
                                                "password": password})

    assert response.status_code == 403
    html = body(response)
    assert shown("The page had expired") in html
    assert shown("For your security the form could not be sent: the page was open too long "
                 "or cookies are blocked. Go back, reload the page and try again.") in html
    assert password not in html
    report = ErrorReport.objects.get(reference=shown_reference(response))
    assert (report.status, report.error_type, report.path) == (403, "CsrfFailure",
                                                               "/accounts/login/")
    assert password not in str(ErrorReport.objects.filter(pk=report.pk).values().get())


def test_form_with_its_csrf_token_is_accepted(tenant, hr_user, password):
    """The guard above is not a blanket refusal: a real form post passes."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.context["csrf_token"]

    response = client.post("/accounts/login/", {"username": hr_user.username,
                                                "password": password,
                                                "csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302


def test_a_crash_on_a_link_address_keeps_the_token_out_of_reports_and_logs(
    client, tenant, monkeypatch, caplog
):
    """The token of an activation / reset / phone-recovery link is a secret: an error on
    such an address stores and logs the path with the token replaced."""
    import logging

    from verzuim.core.models import ErrorReport

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("verzuim.accounts.recovery.views.decode_uid", explode)
    client.raise_request_exception = False
    token = "cbx7q2-0123456789abcdef0123456789abcdef"
    with caplog.at_level(logging.INFO):
        response = client.get(f"/recover/password/MTIz/{token}/")
    assert response.status_code == 500
    report = ErrorReport.objects.get()
    assert report.path == "/recover/password/[redacted]/"
    formatter = logging.Formatter("%(message)s")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "[redacted]" in text and token not in text
