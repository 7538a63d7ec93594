"""Forms for joining and for a member's own pages. They parse; services decide and store."""

from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import LANGUAGE_CHOICES, AlertKinds, ContactPoint
from tocsin.core.forms import NamedErrorsForm, coordinate_field

from .services import JOIN_CHANNELS, Area

RADIUS_CHOICES = [
    (250, _("250 m (a block or two)")),
    (500, _("500 m")),
    (1000, _("1 km")),
    (2000, _("2 km")),
    (5000, _("5 km")),
]


def radius_choices():
    return [(m, label) for m, label in RADIUS_CHOICES if m <= settings.TOCSIN_MAX_AREA_RADIUS_M]


class AreaFields(NamedErrorsForm):
    """A point (latitude and longitude) and a radius; all optional until one is given."""

    lat = coordinate_field(_("Latitude"), 90, _("Latitude must be a number between -90 and 90."))
    lng = coordinate_field(
        _("Longitude"), 180, _("Longitude must be a number between -180 and 180.")
    )
    radius_m = forms.TypedChoiceField(
        label=_("How far around the point"), coerce=int, choices=radius_choices, initial=500
    )
    kinds = forms.TypedMultipleChoiceField(
        label=_("What to hear about"),
        coerce=int,
        choices=AlertKinds.choices,
        initial=[value for value, _label in AlertKinds.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of alert.")},
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        lat, lng = data.get("lat"), data.get("lng")
        if "lat" in self.errors or "lng" in self.errors:
            return data
        if (lat is None) != (lng is None):
            missing = "lng" if lng is None else "lat"
            self.add_error(
                missing,
                _("Give both latitude and longitude for the area, or leave both empty."),
            )
        return data

    def area(self) -> Area | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        return Area(data["lat"], data["lng"], data["radius_m"])

    def kinds_bits(self) -> int:
        return sum(set(self.cleaned_data.get("kinds") or [])) or 0


class JoinForm(AreaFields):
    display_name = forms.CharField(
        label=_("Name or alias"),
        max_length=120,
        help_text=_("It does not have to be your real name."),
        error_messages={"required": _("Write a name or an alias.")},
    )
    language = forms.ChoiceField(
        label=_("Language for your alerts"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    sms = forms.CharField(
        label=_("Phone for text messages (SMS)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    signal = forms.CharField(
        label=_("Signal phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that Tocsin keeps my name and contacts to send me these alerts. "
            "I can leave at any time."
        ),
        error_messages={"required": _("To join, tick the box to agree.")},
    )

    field_order = [
        "organization",
        "display_name",
        "language",
        "email",
        "sms",
        "signal",
        "follow_site",
        "site",
        "lat",
        "lng",
        "radius_m",
        "kinds",
        "consent",
    ]

    def __init__(self, *args, organizations=(), sites=None, this_site=None, **kwargs):
        """`organizations` to choose from when several share the site; `sites` of an organization
        to pick one from; `this_site` when joining from a site's own page."""
        super().__init__(*args, **kwargs)
        self.organizations = {org.slug: org for org in organizations}
        self.sites = {site.code: site for site in sites or ()}
        self.this_site = this_site
        if len(self.organizations) > 1:
            self.add_field(
                "organization",
                forms.ChoiceField(
                    label=_("Your union or group"),
                    choices=[(slug, org.name) for slug, org in self.organizations.items()],
                ),
            )
        if this_site is not None:
            self.add_field(
                "follow_site",
                forms.BooleanField(label=_("Follow this site"), required=False, initial=True),
            )
        elif self.sites:
            self.add_field(
                "site",
                forms.ChoiceField(
                    label=_("Your workplace"),
                    required=False,
                    choices=[("", _("None of these"))]
                    + [(code, site.name) for code, site in self.sites.items()],
                ),
            )
        self.order_fields(self.field_order)

    def contacts(self) -> dict[str, str]:
        return {channel: self.cleaned_data.get(channel) or "" for channel in JOIN_CHANNELS}

    def chosen_organization(self):
        if "organization" in self.fields:
            return self.organizations[self.cleaned_data["organization"]]
        return next(iter(self.organizations.values()))

    def chosen_site(self):
        if self.this_site is not None:
            return self.this_site
        return self.sites.get(self.cleaned_data.get("site") or "")

    def follows_site(self) -> bool:
        if self.this_site is not None:
            return bool(self.cleaned_data.get("follow_site"))
        return self.chosen_site() is not None


class CodeForm(NamedErrorsForm):
    contact = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


class MemberLinkForm(NamedErrorsForm):
    address = forms.CharField(
        label=_("Your email or phone number"),
        max_length=254,
        help_text=_("One you confirmed when you joined."),
    )


class ProfileForm(NamedErrorsForm):
    display_name = forms.CharField(label=_("Name or alias"), max_length=120)
    language = forms.ChoiceField(
        label=_("Language for your alerts"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )


class ContactAddForm(NamedErrorsForm):
    channel = forms.ChoiceField(
        label=_("How"),
        choices=[(c.value, c.label) for c in ContactPoint.Channel if c.value in JOIN_CHANNELS],
    )
    address = forms.CharField(label=_("Address or phone number"), max_length=254)


class FollowForm(AreaFields):
    """Follow one more site or area, from a member's own page."""

    site = forms.ChoiceField(label=_("A site"), required=False)

    field_order = ["site", "organization", "lat", "lng", "radius_m", "kinds"]

    def __init__(self, *args, organizations=(), sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {org.slug: org for org in organizations}
        self.sites = {site.code: site for site in sites}
        site_field = cast(forms.ChoiceField, self.fields["site"])
        site_field.choices = [("", _("No site, an area instead"))] + [
            (code, site.name) for code, site in self.sites.items()
        ]
        if len(self.organizations) > 1:
            self.add_field(
                "organization",
                forms.ChoiceField(
                    label=_("For an area: which union or group"),
                    choices=[(slug, org.name) for slug, org in self.organizations.items()],
                ),
            )
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("site") and self.area() is None:
            raise ValidationError(_("Choose a site, or put a point on the map for an area."))
        return data

    def chosen_site(self):
        return self.sites.get(self.cleaned_data.get("site") or "")

    def organization_for_site(self, site):
        """Return the member's own organization present at the site (the chosen one first)."""
        present = set(site.organizations.values_list("slug", flat=True))
        preferred = self.cleaned_data.get("organization")
        if preferred in present:
            return self.organizations[preferred]
        return next(org for slug, org in self.organizations.items() if slug in present)

    def organization_for_area(self):
        slug = self.cleaned_data.get("organization")
        return self.organizations.get(slug) or next(iter(self.organizations.values()))


class KindsForm(NamedErrorsForm):
    subscription = forms.CharField(max_length=12, widget=forms.HiddenInput)
    kinds = AreaFields.base_fields["kinds"]
