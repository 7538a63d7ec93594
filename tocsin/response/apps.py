from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "tocsin.response"

    def ready(self) -> None:
        from tocsin.audit.names import register_namer

        from .services.queue import forget_on_change
        from .titles import audit_names

        register_namer("incident", audit_names)
        forget_on_change()
