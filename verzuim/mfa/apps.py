from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "verzuim.mfa"
    label = "mfa"
