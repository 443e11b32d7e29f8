"""Absolute links in e-mails: always on the tenant's own host, never from a request."""

from __future__ import annotations

from django.conf import settings

from verzuim.tenants.models import Tenant


def tenant_url(tenant: Tenant, path: str) -> str:
    """``https://<tenant host><path>``; a forged Host header can never change it.

    Outside production the links may point at the local development server instead
    (VERZUIM_DEV_LINK_ORIGIN, set by `make run`), so they open on this machine.
    """
    if settings.ENVIRONMENT == "production":
        return f"https://{tenant.host}{path}"
    if settings.DEV_LINK_ORIGIN:
        return f"{settings.DEV_LINK_ORIGIN.rstrip('/')}{path}"
    return f"http://{tenant.host}{path}"
