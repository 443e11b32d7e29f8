from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "verzuim.tenants"
    label = "tenants"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from verzuim.tenants.middleware import TENANTS_BY_HOST
        from verzuim.tenants.models import Tenant

        def forget(**kwargs: object) -> None:
            TENANTS_BY_HOST.clear()

        post_save.connect(forget, sender=Tenant, weak=False, dispatch_uid="tenants-memo-save")
        post_delete.connect(forget, sender=Tenant, weak=False, dispatch_uid="tenants-memo-delete")
