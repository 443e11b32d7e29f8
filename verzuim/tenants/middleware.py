"""Which portal is this? The host name decides; development may choose another way."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port

from verzuim.core.memo import Memo
from verzuim.core.middleware import Handler
from verzuim.tenants.models import Tenant

# Paths that work without a tenant: static files and the load balancer's health check.
TENANTLESS_PATHS = ("/static/", "/healthz")
DEV_TENANT_SESSION_KEY = "dev_tenant"


def request_host(request: HttpRequest) -> str:
    """The host name without port, lower case and without a trailing dot."""
    domain, _port = split_domain_port(request.get_host())
    return domain


#: Active tenants by host name, remembered for ``TENANT_MEMO_SECONDS`` (default 30) per
#: process; a tenant saved or deleted in this process is forgotten at once (``apps.py``).
TENANTS_BY_HOST: Memo[Tenant | None] = Memo(lambda: getattr(settings, "TENANT_MEMO_SECONDS", 30))


def tenant_for_host(host: str) -> Tenant | None:
    return TENANTS_BY_HOST.get(host, lambda: Tenant.objects.active().filter(host=host).first())


def resolve_tenant(request: HttpRequest) -> Tenant | None:
    tenant = tenant_for_host(request_host(request))
    if tenant is not None:
        return tenant
    if settings.ENVIRONMENT == "production":
        # Never guess in production: a wrong guess would show one portal's branding (and
        # accept its logins) on another portal's address.
        return None
    slug = request.GET.get("tenant") or request.session.get(DEV_TENANT_SESSION_KEY)
    if slug:
        tenant = Tenant.objects.active().filter(slug=slug).first()
        if tenant is not None:
            request.session[DEV_TENANT_SESSION_KEY] = tenant.slug
            return tenant
    if not settings.DEFAULT_TENANT_SLUG:
        return None
    return Tenant.objects.active().filter(slug=settings.DEFAULT_TENANT_SLUG).first()


class TenantMiddleware:
    """Finds the tenant by host name (development: a default tenant or ``?tenant=``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(TENANTLESS_PATHS):
            # No tenant needed, and no database: the health check must answer (503) while
            # the database is down, whether or not this process still remembers the tenant.
            request.tenant = None  # type: ignore[attr-defined]
            return self.get_response(request)
        tenant = resolve_tenant(request)
        request.tenant = tenant  # type: ignore[attr-defined]
        if tenant is None:
            from verzuim.core.views import unknown_tenant

            return unknown_tenant(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.tenant_id != tenant.pk:
            # A session of another portal is never valid here.
            logout(request)
        return self.get_response(request)
