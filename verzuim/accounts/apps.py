from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "verzuim.accounts"
    label = "accounts"
