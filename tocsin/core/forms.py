"""Form pieces every app's forms share: errors that name their field, a date-and-time
input a phone shows as its own picker, a latitude or longitude field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class NamedErrorsForm(forms.Form):
    """Start every built-in error message with the field's label, so it names the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            name_errors(field)

    def add_field(self, name: str, field: forms.Field) -> None:
        self.fields[name] = name_errors(field)

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's errors beside the fields they name, the rest above the form."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


TOO_LONG = _("write at most %(limit_value)d characters (this has %(show_value)d).")


def name_errors(field: forms.Field) -> forms.Field:
    """Prefix Django's own messages with the field's label; ours already say which field."""
    if not field.label:
        return field
    defaults: dict = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    messages = dict(field.error_messages)
    if getattr(field, "max_length", None):
        messages.setdefault("max_length", TOO_LONG)
        defaults["max_length"] = TOO_LONG
    field.error_messages = {
        code: format_lazy("{label}: {message}", label=field.label, message=message)
        if message is defaults.get(code)
        else message
        for code, message in messages.items()
    }
    return field


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (`datetime-local`), in its one format."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def coordinate_field(label, limit: int, message):
    errors = {"invalid": message, "min_value": message, "max_value": message}
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        error_messages=errors,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
