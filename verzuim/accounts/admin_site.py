"""The technical admin uses the portal's own login, so it never skips the second factor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def protect_admin(site: AdminSite) -> None:
    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")

    def has_permission(request: HttpRequest) -> bool:
        user: Any = request.user
        tenant = getattr(request, "tenant", None)
        return bool(
            user.is_active
            and user.is_authenticated
            and user.is_staff
            and tenant is not None
            and user.tenant_id == tenant.pk
        )

    def password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # The portal's own page re-authenticates, audits and notifies.
        return redirect("settings:password")

    site.login = login  # type: ignore[method-assign]
    site.password_change = password_change  # type: ignore[method-assign,assignment]
    site.password_change_done = password_change  # type: ignore[method-assign,assignment]
    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "Verzuimportaal"
