"""Home page, health check and the branded error pages (each with a reference code)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from verzuim.core.errors import report_error

logger = logging.getLogger(__name__)


def _absence_overview(user: Any) -> dict[str, Any] | None:
    """Counts for the home page of a user who works with sick-leave data in some scope;
    ``None`` when they have no such role or no scope yet (the empty state explains)."""
    from django.utils import timezone

    from verzuim.absence import figure_cache
    from verzuim.absence.models import Case, CaseTask, Employee, Employer, TaskState
    from verzuim.absence.scope import uses_absence

    if not uses_absence(user):
        return None
    if not Employer.objects.visible_to(user).exists():
        return None
    today = timezone.localdate()

    def counts() -> dict[str, int]:
        tasks = CaseTask.objects.visible_to(user).filter(state=TaskState.OPEN)
        return {
            "employees": Employee.objects.visible_to(user).count(),
            "open_cases": Case.objects.visible_to(user).filter(recovery_date__isnull=True).count(),
            "overdue_tasks": tasks.filter(deadline__lt=today).count(),
        }

    # Kept with the figures until the tenant's sick-leave data or a task changes.
    return figure_cache.remembered(user, ("home-overview",), counts)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from verzuim.mfa.backup_codes.actions import remaining_count

    return render(
        request,
        "core/home.html",
        {
            "backup_codes_left": remaining_count(request.user),  # type: ignore[arg-type]
            "overview": _absence_overview(request.user),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make prod-local`: 200 when this process can query the
    database, 503 while it cannot (the portal then only shows error pages)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _last_resort_html(reference: str) -> str:
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Error</title>'
        f"</head><body><h1>Error</h1><p>Reference code: {escape(reference)}</p></body></html>"
    )


def error_page(
    request: HttpRequest, status: int, title: str, text: str, error_type: str
) -> HttpResponse:
    reference = report_error(request, status, error_type)
    context: dict[str, Any] = {
        "status": status, "title": title, "text": text, "reference": reference,
        "tenant": getattr(request, "tenant", None),
    }
    html: str
    try:
        html = render_to_string("errors/error.html", context, request=request)
    except Exception:
        # The layout needs the database (session, user, tenant). When that is down, or
        # anything else in the layout fails, an error page must still appear: stay plain.
        logger.warning("branded error page failed; showing the plain one", exc_info=True)
        try:
            html = render_to_string("errors/plain.html", context)
        except Exception:
            logger.exception("plain error page failed")
            html = _last_resort_html(reference)
    return HttpResponse(html, status=status)


def _type_name(exception: BaseException | None) -> str:
    return type(exception).__name__ if exception is not None else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400, _("Invalid request"),
                       _("The request could not be processed. Go back and try again."),
                       _type_name(exception) or "BadRequest")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, _("No access"),
                       _("You do not have access to this page. If you think you should, "
                         "contact support and mention the reference code."),
                       _type_name(exception) or "PermissionDenied")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, _("Page not found"),
                       _("This page does not exist (any more). Check the address or go back "
                         "to the start page."),
                       _type_name(exception) or "Http404")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still "current".
    return error_page(request, 500, _("Something went wrong"),
                       _("An error occurred on our side. Try again in a moment; if it happens "
                         "again, contact support and mention the reference code."),
                       _type_name(sys.exc_info()[1]) or "ServerError")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, _("The page had expired"),
                       _("For your security the form could not be sent: the page was open too "
                         "long or cookies are blocked. Go back, reload the page and try again."),
                       "CsrfFailure")


def unknown_tenant(request: HttpRequest) -> HttpResponse:
    return error_page(request, 404, _("Unknown portal"),
                       _("There is no portal at this address. Check the address in the e-mail "
                         "or letter you received."),
                       "UnknownTenant")
