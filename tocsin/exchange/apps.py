from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tocsin.exchange"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the receivers)
