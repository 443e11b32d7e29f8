from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "verzuim.tenants"
    label = "tenants"
