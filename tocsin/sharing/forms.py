"""The offer forms: to one partner, and to all of a federation's or coalition's members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Organization, SharingAgreement
from tocsin.accounts.sharing import Shares
from tocsin.core.forms import DateTimeInput, NamedErrorsForm, coordinate_field

from .services import MAX_RADIUS_M, Terms


class TermsForm(NamedErrorsForm):
    what = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=Shares.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Shares.ALERTS],
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty to start as soon as it is accepted."),
    )
    ends_at = forms.DateTimeField(
        label=_("Planned end"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Optional. Either side can also end it at any time."),
    )
    lat = coordinate_field(
        _("Area: latitude"), 90, _("Area: latitude: give a number between -90 and 90.")
    )
    lng = coordinate_field(
        _("Area: longitude"), 180, _("Area: longitude: give a number between -180 and 180.")
    )
    radius_m = forms.IntegerField(
        label=_("Area: radius in metres"),
        required=False,
        min_value=100,
        max_value=MAX_RADIUS_M,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Optional. With an area, alerts are shared only for incidents inside it."),
    )

    def terms(self) -> Terms:
        data = self.cleaned_data
        return Terms(
            what=list(data["what"]),
            direction=data.get("direction") or SharingAgreement.Direction.ONE_WAY,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            lat=data["lat"],
            lng=data["lng"],
            radius_m=data["radius_m"],
            sites=list(data.get("sites") or []),
        )


class OfferForm(TermsForm):
    """An offer to one organization on this server."""

    field_order = ["partner", "what", "direction", "starts_at", "ends_at"]

    def __init__(self, organization: Organization, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_field(
            "partner",
            forms.ModelChoiceField(
                label=_("Partner"),
                queryset=Organization.objects.exclude(pk=organization.pk).order_by("name"),
                to_field_name="slug",
                empty_label=_("Choose an organization"),
            ),
        )
        self.add_field(
            "direction",
            forms.ChoiceField(
                label=_("Direction"),
                choices=[
                    (
                        SharingAgreement.Direction.ONE_WAY,
                        _("One way: we share with the partner"),
                    ),
                    (
                        SharingAgreement.Direction.BOTH_WAYS,
                        _("Both ways: each shares with the other"),
                    ),
                ],
                widget=forms.RadioSelect,
                initial=SharingAgreement.Direction.ONE_WAY,
            ),
        )
        self.add_field(
            "sites",
            forms.ModelMultipleChoiceField(
                label=_("Alerts at these sites"),
                queryset=organization.sites.order_by("name"),
                to_field_name="code",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_(
                    "Optional. With sites, alerts are shared only for incidents at them "
                    "(or inside the area, if you give one too)."
                ),
            ),
        )
        self.order_fields(self.field_order)


class MembersOfferForm(TermsForm):
    """One offer to the federation's or coalition's member organizations, both ways."""

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_field(
            "members",
            forms.ModelMultipleChoiceField(
                label=_("Member organizations"),
                queryset=members,
                to_field_name="slug",
                widget=forms.CheckboxSelectMultiple,
                initial=list(members),
            ),
        )
        self.order_fields(["members", "what"])
