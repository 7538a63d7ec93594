"""Forms of the clause library. They parse; services decide and store."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import NamedErrorsForm

from .models import MAX_TEXT, MAX_TITLE, Clause
from .search import MAX_QUERY


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


def text_field(label) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )


class SearchForm(NamedErrorsForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY)
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("Every sector")), *Clause.Sector.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *Clause.Status.choices],
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)


class ClauseForm(NamedErrorsForm):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    text_en = text_field(_("Text in English"))
    text_es = text_field(_("Text in Spanish"))
    text_so = text_field(_("Text in Somali"))
    sector = forms.ChoiceField(label=_("Sector"), choices=Clause.Sector.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Clause.Status.choices)
    source_contract = forms.CharField(label=_("Source contract"), required=False, max_length=300)
    how_won = forms.CharField(
        label=_("How it was won"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    demanded_on = date_field(_("Demanded on"))
    won_on = date_field(_("Won on"))
    in_effect_from = date_field(_("In effect from"))
    in_effect_until = date_field(_("In effect until"))
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas: ICE, judicial warrant, schools."),
    )
    sites: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Sites where it is in force"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["sites"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = sites
        self.fields["title"].error_messages["required"] = _("Title: give the clause a title.")

    @classmethod
    def initial_for(cls, clause: Clause) -> dict:
        initial = {name: getattr(clause, name) for name in cls.base_fields if name != "sites"}
        initial["tags"] = ", ".join(clause.tag_list())
        initial["sites"] = list(clause.sites.all())
        return initial
