from django.contrib import admin
from django.http import HttpRequest

from verzuim.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "outcome", "subject", "actor", "login_name", "ip"]
    list_filter = ["event", "outcome"]
    search_fields = ["login_name", "subject__username", "ip", "reference"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
