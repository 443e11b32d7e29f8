from django.contrib import admin

from verzuim.tenants.models import Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "host", "support_email", "is_active"]
    search_fields = ["name", "slug", "host"]
