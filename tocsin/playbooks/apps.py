from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "tocsin.playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        # The delivery engine sits below this app: it learns where rights links lead here.
        from tocsin.delivery import rights

        from .links import rights_link

        rights.register(rights_link)
