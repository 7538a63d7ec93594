from django.apps import AppConfig


class KindappConfig(AppConfig):
    name = "tests.kindapp"
    label = "kindapp"
