from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from verzuim.core.middleware import Handler
from verzuim.tenants.models import Tenant


def resolve_tenant(request: HttpRequest) -> Tenant | None:
    host = request.get_host().split(":")[0].lower()
    tenant = Tenant.objects.active().filter(host=host).first()
    if tenant is not None:
        return tenant
    if settings.ENVIRONMENT == "production":
        return None
    slug = request.GET.get("tenant") or request.session.get("dev_tenant")
    if slug:
        tenant = Tenant.objects.active().filter(slug=slug).first()
        if tenant is not None:
            request.session["dev_tenant"] = tenant.slug
            return tenant
    return Tenant.objects.active().filter(slug=settings.DEFAULT_TENANT_SLUG).first()


class TenantMiddleware:
    """Finds the tenant by host name (development: a default tenant or ``?tenant=``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = resolve_tenant(request)
        request.tenant = tenant  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if tenant is None:
            if request.path.startswith(("/static/", "/healthz")):
                return self.get_response(request)
            from verzuim.core.views import unknown_tenant

            return unknown_tenant(request)
        if user is not None and user.is_authenticated and user.tenant_id != tenant.pk:
            # A session of another portal is never valid here.
            from django.contrib.auth import logout

            logout(request)
        return self.get_response(request)
