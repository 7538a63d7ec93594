from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tocsin.core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
