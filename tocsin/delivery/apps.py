from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DeliveryConfig(AppConfig):
    name = "tocsin.delivery"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the notice channels' and Signal's checks)
        from .kinds import NOTICE, REMINDER, register

        # Each installed app's alerts.py registers the kinds of alert it sends (kinds.py);
        # the engine's own kinds come after theirs, so lists show the apps' kinds first.
        autodiscover_modules("alerts")
        register(NOTICE)
        register(REMINDER)
