from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "verzuim.help"
    label = "help"

    def ready(self) -> None:
        from verzuim.help import signals  # noqa: F401
