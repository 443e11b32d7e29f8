"""Home page, health check and the branded error pages (each with a reference code)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from verzuim.core.errors import log_error_reference

logger = logging.getLogger("verzuim.errors")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _error_page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    reference = getattr(request, "reference", "-")
    log_error_reference(request, status)
    context: dict[str, Any] = {
        "status": status, "title": title, "text": text, "reference": reference,
        "tenant": getattr(request, "tenant", None), "request": request,
    }
    try:
        html = render_to_string("errors/error.html", context, request=request)
    except (DatabaseError, TemplateDoesNotExist):
        # The layout needs the database (user, tenant); when that is down, stay plain.
        html = render_to_string("errors/plain.html", context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, _("Invalid request"),
                       _("The request could not be processed. Go back and try again."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, _("No access"),
                       _("You do not have access to this page. If you think you should, "
                         "contact support and mention the reference code."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, _("Page not found"),
                       _("This page does not exist (any more). Check the address or go back "
                         "to the start page."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500, _("Something went wrong"),
                       _("An error occurred on our side. Nothing you entered is lost. "
                         "Try again in a moment; if it happens again, contact support and "
                         "mention the reference code."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, 403, _("The page had expired"),
                       _("For your security the form could not be sent: the page was open too "
                         "long or cookies are blocked. Go back, reload the page and try again."))


def unknown_tenant(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 404, _("Unknown portal"),
                       _("There is no portal at this address. Check the address in the e-mail "
                         "or letter you received."))
