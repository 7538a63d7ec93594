from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "tocsin.pledges"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the receivers)
