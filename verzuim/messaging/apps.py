from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "verzuim.messaging"
    label = "messaging"

    def ready(self) -> None:
        from verzuim.messaging import checks  # noqa: F401  (registers the system checks)
