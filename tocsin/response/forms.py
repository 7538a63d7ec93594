"""Forms for taking in a report: the public page, a member's page and a phone call typed in.

They parse what was typed; services/reports.py checks it again, decides and stores.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import LANGUAGE_CHOICES
from tocsin.core.forms import NamedErrorsForm, coordinate_field

from .services.reports import MAX_COUNT, MAX_SHORT_TEXT, MAX_TEXT, ReportInput

# "When did you see it": a tap, not a date picker; the reporter is in a hurry.
SEEN_CHOICES = [
    (0, _("Now")),
    (5, _("5 minutes ago")),
    (15, _("15 minutes ago")),
    (30, _("30 minutes ago")),
    (60, _("1 hour ago")),
    (120, _("2 hours ago")),
    (240, _("4 hours ago")),
]
# The service names a field by its ReportInput name; where the form calls it otherwise.
SERVICE_FIELDS = {"seen_at": "seen"}
HONEYPOT = "website"


def count_field(label):
    # The bounds' messages come from validators, which NamedErrorsForm leaves alone.
    def named(message):
        return format_lazy("{label}: {message}", label=label, message=message)

    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        error_messages={
            "min_value": named(_("give a number, 0 or more.")),
            "max_value": named(_("give a number of at most %(limit_value)s.")),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def text_field(label, help_text="", limit=MAX_SHORT_TEXT, **attrs):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=limit,
        widget=forms.TextInput(attrs=attrs),
    )


class ReportForm(NamedErrorsForm):
    """What someone saw, SALUTE-style: only the first question matters; the rest help.

    `this_site` fixes the site (a site's own page); otherwise `sites` offers a select, and a
    pin on the map (lat, lng) or words (location) say where. `call=True` is a phone call typed
    in by staff: it asks which language the caller speaks (otherwise it is the page's).
    """

    activity = forms.CharField(
        label=_("What do you see?"),
        help_text=_("What are the agents doing? A few words are enough."),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agents = count_field(_("How many agents"))
    vehicles = count_field(_("How many vehicles"))
    uniform = text_field(
        _("Uniforms and markings"),
        _("For example: vests marked POLICE or ICE, plain clothes, masks."),
    )
    equipment = text_field(
        _("Equipment and vehicles"),
        _("For example: unmarked vans, licence plates, weapons, handcuffs."),
    )
    location = text_field(
        _("Where, in your words"),
        _("For example: the ambulance entrance, the corner of Park and 7th."),
    )
    lat = coordinate_field(_("Latitude"), 90, _("Latitude must be a number between -90 and 90."))
    lng = coordinate_field(
        _("Longitude"), 180, _("Longitude must be a number between -180 and 180.")
    )
    seen = forms.TypedChoiceField(
        label=_("When did you see it?"), coerce=int, choices=SEEN_CHOICES, initial=0
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        help_text=_("Only if it is safe to take one. Where and when it was taken is removed."),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    callback = text_field(
        _("A phone number or email to call you back (optional)"),
        _(
            "Only the dispatchers who check this report can see it, and it is erased "
            "later. Leave it empty to stay anonymous."
        ),
        limit=120,
    )
    # For robots only: people never see it (see report.css); a report that fills it is
    # thanked and dropped.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, this_site=None, sites=(), call=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.this_site = this_site
        self.sites = {site.code: site for site in sites}
        # The map pin's coordinates are set by the map, not typed.
        self.fields["lat"].widget = forms.HiddenInput()
        self.fields["lng"].widget = forms.HiddenInput()
        if this_site is not None:
            self.add_field(
                "location",
                text_field(
                    _("Where exactly"),
                    _("For example: the ambulance entrance, the parking garage."),
                ),
            )
        elif self.sites:
            self.add_field(
                "site",
                forms.ChoiceField(
                    label=_("At one of these sites?"),
                    required=False,
                    choices=[("", _("Somewhere else"))]
                    + [(code, site.name) for code, site in self.sites.items()],
                ),
            )
        if call:
            self.add_field(
                "callback",
                text_field(
                    _("The caller's phone number or email"),
                    _("Only if they agree to be called back. It is erased later."),
                    limit=120,
                ),
            )
            self.add_field(
                "language",
                forms.ChoiceField(
                    label=_("Language of the caller"),
                    choices=LANGUAGE_CHOICES,
                    widget=forms.RadioSelect,
                ),
            )

    @property
    def is_spam(self) -> bool:
        """Whether the field hidden from people was filled in: a robot sent this."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.TOCSIN_MAX_PHOTO_BYTES:
            raise ValidationError(
                _("The photo is too large: at most %(megabytes)d MB.")
                % {"megabytes": settings.TOCSIN_MAX_PHOTO_BYTES // (1024 * 1024)}
            )
        return photo

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's errors beside the fields they name, the rest above the form."""
        for field, messages in error.message_dict.items():
            name = SERVICE_FIELDS.get(field, field)
            self.add_error(name if name in self.fields else None, messages)

    def chosen_site(self):
        if self.this_site is not None:
            return self.this_site
        return self.sites.get(self.cleaned_data.get("site") or "")

    def report_input(self, language: str) -> ReportInput:
        """Return what the report says, for submit_report."""
        data = self.cleaned_data
        photo = data.get("photo")
        minutes = data.get("seen") or 0
        return ReportInput(
            site=self.chosen_site(),
            lat=data.get("lat"),
            lng=data.get("lng"),
            location=data.get("location") or "",
            agents=data.get("agents"),
            vehicles=data.get("vehicles"),
            activity=data.get("activity") or "",
            uniform=data.get("uniform") or "",
            equipment=data.get("equipment") or "",
            seen_at=timezone.now() - timedelta(minutes=minutes),
            callback=data.get("callback") or "",
            language=data.get("language") or language,
            photos=[photo.read()] if photo else [],
        )
