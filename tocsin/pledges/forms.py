"""The organizer's pledge form. It parses; services.clean_pledge decides."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import DateTimeInput, NamedErrorsForm
from tocsin.core.times import in_server_zone

from . import floors
from .models import Pledge
from .services.checks import MAX_ACTION, MAX_DETAILS, PledgeInput
from .services.coalition import Acceptance, CoalitionPledgeInput, PartInput, part_field


class AskedForm(NamedErrorsForm):
    """Whom in one organization a pledge asks (everyone, units or a site) and the smallest
    group whose progress is shown: the part of an organization's own pledge and of its
    acceptance of a coalition pledge."""

    scope = forms.ChoiceField(label=_("Who is asked"), choices=Pledge.Scope.choices)
    units = forms.MultipleChoiceField(
        label=_("Units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    min_group_size = forms.IntegerField(
        label=_("Smallest group whose progress is shown"), max_value=1000
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_group_size"].initial = floors.min_group()
        self.units_by_code = {unit.code: unit for unit in organization.units.order_by("name")}
        self.sites_by_code = {site.code: site for site in organization.sites.order_by("name")}
        cast(forms.MultipleChoiceField, self.fields["units"]).choices = [
            (c, u.name) for c, u in self.units_by_code.items()
        ]
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("Choose…"))] + [
            (code, site.name) for code, site in self.sites_by_code.items()
        ]

    def asked(self) -> dict:
        """The scope, units, site and smallest group, as PledgeInput and Acceptance take them."""
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "units": [self.units_by_code[code] for code in data["units"]],
            "site": self.sites_by_code.get(data["site"]),
            "min_group_size": data["min_group_size"],
        }


class PledgeForm(AskedForm):
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
    threshold_kind = forms.ChoiceField(
        label=_("The threshold is"), choices=Pledge.ThresholdKind.choices
    )
    threshold_value = forms.IntegerField(label=_("Threshold"), min_value=1, max_value=100_000)
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DateTimeInput())

    field_order = [
        "action",
        "details",
        "scope",
        "units",
        "site",
        "threshold_kind",
        "threshold_value",
        "deadline",
        "min_group_size",
    ]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
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

    def pledge_input(self) -> PledgeInput:
        data = self.cleaned_data
        return PledgeInput(
            action=data["action"],
            details=data["details"],
            **self.asked(),
            threshold_kind=data["threshold_kind"],
            threshold_value=data["threshold_value"],
            deadline=data["deadline"],
        )


class CoalitionPledgeForm(NamedErrorsForm):
    """A coalition's pledge: its words and deadline, and for each of its unions whether it
    is asked and with which threshold (fields `take-<slug>`, `kind-<slug>`,
    `threshold-<slug>`). It parses; services.coalition decides."""

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
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DateTimeInput())

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.unions = list(unions)
        names = {"signatures": floors.min_signatures()}
        for union in self.unions:
            self.fields[f"take-{union.slug}"] = forms.BooleanField(
                label=_("Ask %(union)s to take part") % {"union": union.name}, required=False
            )
            self.fields[f"kind-{union.slug}"] = forms.ChoiceField(
                label=_("%(union)s: the threshold is") % {"union": union.name},
                choices=Pledge.ThresholdKind.choices,
                required=False,
            )
            self.fields[part_field(union)] = forms.IntegerField(
                label=_("%(union)s: threshold") % {"union": union.name},
                help_text=_(
                    "A percentage (60 for 60%%) of the members the union asks, or a number "
                    "of them, at least %(signatures)s."
                )
                % names,
                required=False,
                min_value=1,
                max_value=100_000,
            )

    def union_rows(self):
        """Each union's three fields, for the template."""
        return [
            (union, self[f"take-{union.slug}"], self[f"kind-{union.slug}"], self[part_field(union)])
            for union in self.unions
        ]

    def coalition_input(self) -> CoalitionPledgeInput:
        data = self.cleaned_data
        return CoalitionPledgeInput(
            action=data["action"],
            details=data["details"],
            deadline=in_server_zone(data["deadline"]),
            parts=[
                PartInput(union, data[f"kind-{union.slug}"], data[part_field(union)])
                for union in self.unions
                if data.get(f"take-{union.slug}")
            ],
        )


class AcceptForm(AskedForm):
    """Whom in the union a coalition pledge asks, chosen by the union's organizer."""

    def acceptance(self) -> Acceptance:
        return Acceptance(**self.asked())
