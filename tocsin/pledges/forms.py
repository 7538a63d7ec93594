"""The organizer's pledge form. It parses; services.clean_pledge decides."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import DateTimeInput, NamedErrorsForm

from . import floors
from .models import Pledge
from .services import MAX_ACTION, MAX_DETAILS, PledgeInput


class PledgeForm(NamedErrorsForm):
    action = forms.CharField(
        label=_("What we pledge to do"),
        help_text=_('For example: "We stay out on January 23".'),
        max_length=MAX_ACTION,
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scope = forms.ChoiceField(label=_("Who is asked"), choices=Pledge.Scope.choices)
    units = forms.MultipleChoiceField(
        label=_("Units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    threshold_kind = forms.ChoiceField(
        label=_("The threshold is"), choices=Pledge.ThresholdKind.choices
    )
    threshold_value = forms.IntegerField(label=_("Threshold"), min_value=1, max_value=100_000)
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DateTimeInput())
    min_group_size = forms.IntegerField(
        label=_("Smallest group whose progress is shown"), max_value=1000
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # The floors, said where they apply; services.clean_pledge enforces them.
        names = {"signatures": floors.min_signatures(), "group": floors.min_group()}
        self.fields["threshold_value"].help_text = (
            _(
                "A percentage (60 for 60%%) or a number of members. It must come to at least "
                "%(signatures)s signatures, and each group asked must have at least %(group)s "
                "members: with fewer, going live would name a person, not a group."
            )
            % names
        )
        self.fields["min_group_size"].help_text = (
            _(
                "Below this many members, nobody sees any progress, not even roughly. "
                "At least %(group)s."
            )
            % names
        )
        self.fields["min_group_size"].initial = floors.min_group()
        self.units_by_code = {unit.code: unit for unit in organization.units.order_by("name")}
        self.sites_by_code = {site.code: site for site in organization.sites.order_by("name")}
        cast(forms.MultipleChoiceField, self.fields["units"]).choices = [
            (c, u.name) for c, u in self.units_by_code.items()
        ]
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("Choose…"))] + [
            (code, site.name) for code, site in self.sites_by_code.items()
        ]

    def pledge_input(self) -> PledgeInput:
        data = self.cleaned_data
        return PledgeInput(
            action=data["action"],
            details=data["details"],
            scope=data["scope"],
            units=[self.units_by_code[code] for code in data["units"]],
            site=self.sites_by_code.get(data["site"]),
            threshold_kind=data["threshold_kind"],
            threshold_value=data["threshold_value"],
            deadline=data["deadline"],
            min_group_size=data["min_group_size"],
        )
