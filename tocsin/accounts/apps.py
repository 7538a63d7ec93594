from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tocsin.accounts"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the organizations' deployment checks)
