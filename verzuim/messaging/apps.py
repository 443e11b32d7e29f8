from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "verzuim.messaging"
    label = "messaging"
