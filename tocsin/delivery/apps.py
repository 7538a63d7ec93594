from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "tocsin.delivery"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the notice channels' and Signal's checks)
