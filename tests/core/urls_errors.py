"""The real URLconf plus views that fail on purpose (used with ``@pytest.mark.urls``)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from verzuim.urls import handler400, handler403, handler404, handler500  # noqa: F401
from verzuim.urls import urlpatterns as real_urlpatterns

SECRET_DETAIL = "secret-detail-4242 patient Jansen diagnosis"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def deny(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET_DETAIL)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET_DETAIL)


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/deny/", deny),
    path("test-errors/suspicious/", suspicious),
    *real_urlpatterns,
]
