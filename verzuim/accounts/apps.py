from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "verzuim.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Made now, not at the first unknown login name, so that request does no extra work.
        from verzuim.accounts.backends import dummy_hash

        dummy_hash()
