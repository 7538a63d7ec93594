from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "tocsin.hotline"

    def ready(self) -> None:
        from tocsin.core.retention import Eraser, add_eraser

        from .services.retention import cases_erased, erase_expired_cases

        add_eraser(Eraser(erase=erase_expired_cases, said=cases_erased))

        from . import receivers  # noqa: F401 (connects the receivers)
