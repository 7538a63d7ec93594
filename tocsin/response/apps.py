from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "tocsin.response"

    def ready(self) -> None:
        from tocsin.audit.names import register_namer
        from tocsin.core.processes import add_worker_companion
        from tocsin.core.retention import Eraser, add_eraser

        from .services.queue import forget_on_change
        from .services.retention import erase_expired_senders, senders_erased
        from .signal_listener import start_listener
        from .titles import audit_names

        register_namer("incident", audit_names)
        forget_on_change()
        add_worker_companion(start_listener)
        add_eraser(Eraser(erase=erase_expired_senders, said=senders_erased))
