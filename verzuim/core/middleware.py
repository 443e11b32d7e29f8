from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from verzuim.core.reference import current_reference, new_reference
from verzuim.core.request import client_ip

Handler = Callable[[HttpRequest], HttpResponse]


class RefuseTraceMiddleware:
    """TRACE (and Microsoft's TRACK) echo a request back; no page here needs them, so they
    are refused everywhere, before any view (ASVS 13.4.4)."""

    REFUSED = frozenset({"TRACE", "TRACK"})

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in self.REFUSED:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)


class RequestContextMiddleware:
    """Gives every request a reference code (shown on error pages, written to the log)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.reference = new_reference()  # type: ignore[attr-defined]
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        token = current_reference.set(request.reference)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            current_reference.reset(token)
        response["X-Request-Reference"] = request.reference  # type: ignore[attr-defined]
        return response


class NoStoreMiddleware:
    """Pages may hold personal data: no browser or proxy may keep a copy. Only the static
    files themselves may be cached; an error page under /static/ is a page like any other."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not (request.path.startswith("/static/") and response.status_code < 400):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
