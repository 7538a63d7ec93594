"""The organizer's vote form, the ballot and the receipt check. They parse; services decide."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import DateTimeInput, NamedErrorsForm

from .models import Vote
from .services import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, VoteInput, clean_vote


class VoteForm(NamedErrorsForm):
    question = forms.CharField(
        label=_("Question"),
        help_text=_('For example: "Do we accept the contract offer of January 12?"'),
        max_length=MAX_QUESTION,
    )
    options = forms.CharField(
        label=_("Options, one per line"),
        help_text=_("Two at least, twenty at most."),
        max_length=MAX_OPTIONS * (MAX_OPTION + 2),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    unit = forms.ChoiceField(label=_("Unit that votes"))
    opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput())
    quorum_kind = forms.ChoiceField(
        label=_("Quorum as"), choices=Vote.QuorumKind.choices, initial=Vote.QuorumKind.PERCENT
    )
    quorum_value = forms.IntegerField(
        label=_("Quorum"),
        help_text=_("A percentage of the roll (50 for 50%) or a number of ballots; 0 for none."),
        initial=50,
        min_value=0,
        max_value=100_000,
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.units_by_code = {unit.code: unit for unit in organization.units.order_by("name")}
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("Choose…"))] + [
            (code, unit.name) for code, unit in self.units_by_code.items()
        ]

    def vote_input(self) -> VoteInput:
        data = self.cleaned_data
        return VoteInput(
            question=data.get("question", ""),
            options=data.get("options", "").splitlines(),
            unit=self.units_by_code.get(data.get("unit", "")),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            quorum_kind=data.get("quorum_kind", Vote.QuorumKind.PERCENT),
            quorum_value=data.get("quorum_value", 0),
        )

    def clean(self):
        """Name every wrong field at once: the service's checks for the fields that parsed."""
        data = super().clean()
        try:
            clean_vote(self.organization, self.vote_input())
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name not in self.errors and name in self.fields:
                    self.add_error(name, messages)
        return data


class BallotForm(NamedErrorsForm):
    option = forms.TypedChoiceField(
        label=_("Your choice"), coerce=int, widget=forms.RadioSelect, empty_value=None
    )

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.position: option for option in vote.options.order_by("position")}
        option = cast(forms.TypedChoiceField, self.fields["option"])
        option.choices = [(p, o.label) for p, o in self.options.items()]
        option.error_messages["required"] = _("Choose one option.")

    def chosen(self):
        return self.options.get(self.cleaned_data["option"])


class ReceiptForm(NamedErrorsForm):
    receipt = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )
