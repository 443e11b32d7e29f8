from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from verzuim.core.models import ErrorReport
from verzuim.core.reference import normalise_reference


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """Read-only: support looks a reference code up; nobody edits what happened."""

    list_display = ["reference", "status", "error_type", "path", "tenant", "user", "created"]
    list_filter = ["status", "tenant"]
    search_fields = ["reference"]
    date_hierarchy = "created"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ErrorReport]:
        # The admin of one portal shows that portal's errors only; superusers also see the
        # errors that belong to no portal (such as "unknown portal" pages).
        queryset = super().get_queryset(request).select_related("tenant", "user")
        here = Q(tenant=getattr(request, "tenant", None))
        if request.user.is_superuser:
            here |= Q(tenant__isnull=True)
        return queryset.filter(here)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ErrorReport], search_term: str
    ) -> tuple[QuerySet[ErrorReport], bool]:
        # Codes are read aloud and typed back: "k7qm 2xda" and "K7QM-2XDA" are the same.
        code = normalise_reference(search_term)
        if code:
            return queryset.filter(reference=code), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
