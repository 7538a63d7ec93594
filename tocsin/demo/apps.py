from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tocsin.demo"

    def ready(self) -> None:
        from tocsin.core.processes import add_serve_guard

        from .accounts import refuse_demo_passwords

        add_serve_guard(refuse_demo_passwords)
