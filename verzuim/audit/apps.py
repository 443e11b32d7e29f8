from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "verzuim.audit"
    label = "audit"
