from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "verzuim.support"
    label = "support"
