"""Hold the minimum: no model may ever ask for or store immigration status."""

import re

from django.apps import apps

FORBIDDEN = re.compile(
    r"immigra|citizen|visa|alien|undocumented|documented|legal_status|daca", re.IGNORECASE
)


def test_no_model_has_a_field_for_immigration_status_or_citizenship():
    offending = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label
        in {config.label for config in apps.get_app_configs() if config.name.startswith("tocsin.")}
        for field in model._meta.get_fields()
        if FORBIDDEN.search(field.name) or FORBIDDEN.search(str(getattr(field, "verbose_name", "")))
    ]
    assert offending == []
