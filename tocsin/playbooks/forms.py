"""A local's playbook forms: its numbers, and a site's note in each language."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tocsin.core import languages
from tocsin.core.forms import NamedErrorsForm

from .content import ROLES
from .services import MAX_NOTE, check_number


class PlaybookForm(NamedErrorsForm):
    hotline_number = forms.CharField(
        label=_("Hotline number"),
        max_length=30,
        required=False,
        help_text=_(
            "Shown on every playbook page of your sites: the number a family calls when someone is detained."
        ),
    )
    more_url = forms.URLField(
        label=_("Another know-your-rights page"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("An outside page you want members to see as well, linked below Tocsin's own."),
    )

    def clean_hotline_number(self) -> str:
        """Say what is wrong with the number beside it, with any other field's error."""
        try:
            return check_number(self.cleaned_data["hotline_number"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["hotline_number"]) from None


class SiteNoteForm(NamedErrorsForm):
    roles = forms.MultipleChoiceField(
        label=_("Role pages that apply here"),
        choices=[(page.slug, page.title) for page in ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the pages for this kind of site."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in languages.choices():
            self.add_field(
                f"note_{code}",
                forms.CharField(
                    label=_("Note in %(language)s") % {"language": name},
                    max_length=MAX_NOTE,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
                ),
            )

    def notes(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"note_{code}", "") for code in languages.codes()}

    def note_fields(self) -> list[forms.BoundField]:
        return [self[f"note_{code}"] for code in languages.codes()]
