from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .events import EVENTS
from .services.exports import TURNOUT_BY
from .services.webhooks import MAX_URL_LENGTH


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(
        label=_("Receiver's URL"),
        max_length=MAX_URL_LENGTH,
        help_text=_(
            "Where Tocsin posts, like https://crm.example.org/hooks/tocsin. Only servers on "
            "the public internet, over https."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events it gets"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=list(EVENTS),
    )


class ExportForm(forms.Form):
    first = forms.DateField(label=_("Events from (YYYY-MM-DD)"), required=False)
    last = forms.DateField(label=_("Events until (YYYY-MM-DD)"), required=False)
    by = forms.ChoiceField(
        label=_("Turnout by"),
        choices=list(zip(TURNOUT_BY, [_("event"), _("site"), _("day and site")], strict=True)),
        required=False,
        initial="event",
    )

    def clean(self):
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise ValidationError({"last": _("The last day comes before the first.")})
        if not data.get("by"):
            data["by"] = "event"
        return data


class WithholdForm(forms.Form):
    address = forms.CharField(
        label=_("The member's email or phone number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
