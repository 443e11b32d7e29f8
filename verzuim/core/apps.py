from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "verzuim.core"
    label = "core"

    def ready(self) -> None:
        from verzuim.core import checks  # noqa: F401  (registers the system checks)
