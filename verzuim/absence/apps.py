from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbsenceConfig(AppConfig):
    name = "verzuim.absence"
    label = "absence"
    verbose_name = _("Sick-leave management")

    def ready(self) -> None:
        from verzuim.absence.figure_cache import connect_signals

        connect_signals()
