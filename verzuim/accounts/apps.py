from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "verzuim.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Made now, not at the first unknown login name, so that request does no extra work.
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from verzuim.accounts.backends import dummy_hash

        dummy_hash()
        # Every login goes through ``actions.complete_login``, which writes ``last_login``
        # together with the failure reset: one UPDATE instead of two.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
