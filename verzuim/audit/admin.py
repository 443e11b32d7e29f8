from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from verzuim.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "outcome", "subject", "actor", "login_name", "ip"]
    list_filter = ["event", "outcome"]
    search_fields = ["login_name", "subject__username", "ip", "reference"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The admin of one portal shows that portal's events only (as for error reports);
        # superusers also see the events that belong to no portal.
        queryset = super().get_queryset(request)
        here = Q(tenant=getattr(request, "tenant", None))
        if request.user.is_superuser:
            here |= Q(tenant__isnull=True)
        return queryset.filter(here)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
