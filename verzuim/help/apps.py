from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "verzuim.help"
    label = "help"
