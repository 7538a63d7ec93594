"""Forms of the sign-in and local admin screens. Services validate again; forms speak first."""

from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import LANGUAGE_CHOICES, Organization, Site, Unit
from tocsin.accounts.roles import Role
from tocsin.core.contacts import normalize_phone

COORDINATE_PLACES = Decimal("0.000001")


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Shown while the account's sign-in is slowed: a code lets its owner through at once.
    code = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class PasswordLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's SetPasswordForm (AUTH_PASSWORD_VALIDATORS), with a weak password's errors on
    the first field, where it was typed, and the mismatch on the second."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].widget.attrs["autofocus"] = True
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = _("Type the same password again.")

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


ROLES_BY_SLUG = {role.slug: role for role in Role}


def role_choices():
    return [(role.slug, role.label) for role in Role if role != Role.MEMBER]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, email or phone"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("active")), ("inactive", _("inactive")), ("all", _("all"))],
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        anyone = [("", _("any"))]
        cast(forms.ChoiceField, self.fields["role"]).choices = anyone + role_choices()
        cast(forms.ChoiceField, self.fields["unit"]).choices = anyone + [
            (unit.code, unit.name) for unit in organization.units.all()
        ]
        cast(forms.ChoiceField, self.fields["site"]).choices = anyone + [
            (site.code, site.name) for site in organization.sites.all()
        ]


class MembershipForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Everyone is a member. Dispatchers, hotline volunteers and admins must "
            "also set up a second factor."
        ),
    )
    unit: "forms.ModelChoiceField[Unit]" = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("no unit"),
    )
    site: "forms.ModelChoiceField[Site]" = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("no site"),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices()
        unit = cast("forms.ModelChoiceField[Unit]", self.fields["unit"])
        unit.queryset = organization.units.all()
        site = cast("forms.ModelChoiceField[Site]", self.fields["site"])
        site.queryset = organization.sites.all()

    def cleaned_roles(self) -> Role:
        value = Role.MEMBER
        for slug in self.cleaned_data["roles"]:
            value |= ROLES_BY_SLUG[slug]
        return value


class EraseForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the person's name to confirm"), max_length=200)

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"]
        if typed.strip().casefold() != self.expected.strip().casefold():
            raise forms.ValidationError(
                _("This is not the person's name as shown on this page; nothing was erased.")
            )
        return typed


class CoordinateField(forms.DecimalField):
    """A latitude or longitude in degrees, rounded to six places (about 10 cm)."""

    def __init__(self, *, limit: int, messages: dict, **kwargs):
        self.limit = limit
        self.messages = messages
        super().__init__(
            max_digits=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs
        )

    def clean(self, value):
        try:
            number = super().clean(value)
        except forms.ValidationError as error:
            code = "required" if error.code == "required" else "invalid"
            raise forms.ValidationError(self.messages[code], code=code) from None
        if not -self.limit <= number <= self.limit:
            raise forms.ValidationError(self.messages["out_of_range"], code="out_of_range")
        return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)


class SiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Site.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    lat = CoordinateField(
        label=_("Latitude"),
        limit=90,
        messages={
            "required": _("Latitude is required."),
            "invalid": _("Latitude must be a number in degrees, like 44.9727."),
            "out_of_range": _("Latitude must be between -90 and 90."),
        },
    )
    lng = CoordinateField(
        label=_("Longitude"),
        limit=180,
        messages={
            "required": _("Longitude is required."),
            "invalid": _("Longitude must be a number in degrees, like -93.2622."),
            "out_of_range": _("Longitude must be between -180 and 180."),
        },
    )


class LinkSiteForm(forms.Form):
    code = forms.CharField(label=_("Site"), max_length=12)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sites: "forms.ModelMultipleChoiceField[Site]" = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=None,
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        sites = cast("forms.ModelMultipleChoiceField[Site]", self.fields["sites"])
        sites.queryset = organization.sites.all()


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)
    retention_days = forms.IntegerField(
        label=_("Retention (days)"),
        min_value=1,
        max_value=3650,
        help_text=_("How long reporter details and raw messages are kept after an incident ends."),
    )
    report_number = forms.CharField(
        label=_("Reporting number"),
        max_length=40,
        required=False,
        help_text=_(
            "The number members text or write to on Signal to report what they see, with its "
            "country code (+1 612 555 0100). Leave it empty to take no reports by message."
        ),
    )
    sms_inbound_token = forms.CharField(
        label=_("SMS gateway token"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Needed with a reporting number: the auth token of the SMS gateway account that "
            "owns the number (Twilio: Account, API keys and tokens, Auth Token). Tocsin takes "
            "only texts signed with it. It is never shown again; leave this empty to keep the "
            "saved one."
        ),
    )
    member_organizations: "forms.ModelMultipleChoiceField[Organization]" = (
        forms.ModelMultipleChoiceField(
            label=_("Member organizations"),
            queryset=None,
            required=False,
            to_field_name="slug",
            widget=forms.CheckboxSelectMultiple,
        )
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if organization.kind == Organization.Kind.COALITION:
            members = cast(
                "forms.ModelMultipleChoiceField[Organization]", self.fields["member_organizations"]
            )
            members.queryset = Organization.objects.exclude(pk=organization.pk).exclude(
                kind=Organization.Kind.COALITION
            )
        else:
            del self.fields["member_organizations"]

    def clean_report_number(self) -> str:
        """Return the number in E.164, refusing one another organization already uses."""
        raw = self.cleaned_data["report_number"].strip()
        if not raw:
            return ""
        number = normalize_phone(raw)
        taken = Organization.objects.filter(report_number=number).exclude(pk=self.organization.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another organization already takes reports at this number."), code="taken"
            )
        return number
