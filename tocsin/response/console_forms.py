"""The dispatcher's forms: they parse what was typed; the services decide and store."""

from typing import cast

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import NamedErrorsForm

from .models import Incident
from .services.broadcast import (
    MAX_MESSAGE,
    PLACE,
    AlertFacts,
    alert_languages,
    place_of,
    since_of,
    sites_to_name,
)
from .titles import incident_title
from .wording import SEEN

# How many characters of a report's words name it in the split form.
REPORT_WORDS = 60

VERIFY_RADII = [
    (500, _("500 m")),
    (1000, _("1 km")),
    (2000, _("2 km")),
    (5000, _("5 km")),
    (10000, _("10 km")),
]
BROADCAST_RADII = [
    (250, _("250 m")),
    (500, _("500 m")),
    (1000, _("1 km")),
    (2000, _("2 km")),
    (5000, _("5 km")),
]
ASK_CHOICES = [
    ("stay_away", _("Stay away from the area")),
    ("observe", _("Trained people: come observe")),
    ("legal_observers", _("Legal observers needed")),
    ("none", _("Nothing asked")),
]


class IncidentForm(NamedErrorsForm):
    """A form of the incident page. Several share field names there, so each form's ids
    start with its own prefix (its labels must point at its own fields)."""

    id_prefix = "incident"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def message_field(label, required=True):
    return forms.CharField(
        label=label,
        max_length=500,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(IncidentForm):
    id_prefix = "verify"
    radius_m = forms.TypedChoiceField(
        label=_("Ask verifiers within"), coerce=int, choices=VERIFY_RADII
    )
    message = message_field(_("What to check"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius_m"].initial = settings.TOCSIN_VERIFY_RADIUS_M


def clock_field(label, required=True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=5,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class ConfirmForm(IncidentForm):
    """The verified alert, as facts every recipient reads in their own language, and the
    dispatcher's own text per language (decision 0018)."""

    id_prefix = "confirm"
    seen = forms.MultipleChoiceField(
        label=_("What was seen"),
        choices=[(code, capfirst(words)) for code, words in SEEN.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what was seen.")},
    )
    # Empty: the incident's site, else its place (as the API takes it).
    where = forms.ChoiceField(label=_("Where"), required=False)
    since = clock_field(_("Since"))
    ask = forms.ChoiceField(label=_("What people are asked to do"), choices=ASK_CHOICES)
    until = clock_field(
        _("Until (optional)"), required=False, help_text=_("Until when people are asked to.")
    )
    radius_m = forms.TypedChoiceField(
        label=_("Alert followers of sites within"), coerce=int, choices=BROADCAST_RADII
    )
    # Set by the preview step: the dispatcher has seen this many people, and these messages.
    seen_size = forms.IntegerField(required=False, widget=forms.HiddenInput)
    seen_preview = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius_m"].initial = settings.TOCSIN_BROADCAST_RADIUS_M
        where = []
        if incident.site is not None:
            where.append((incident.site.code, incident.site.name))
        place = place_of(incident)
        if place and (incident.site is None or place != incident.site.name):
            where.append((PLACE, _("As reported: %(place)s") % {"place": place}))
        where += [
            (site.code, site.name)
            for site in sites_to_name(incident)
            if incident.site is None or site.pk != incident.site.pk
        ]
        cast(forms.ChoiceField, self.fields["where"]).choices = where
        self.fields["where"].initial = where[0][0] if where else ""
        self.fields["since"].initial = since_of(incident)
        self.languages = alert_languages()
        for code, name in self.languages:
            self.add_field(
                f"note_{code}",
                forms.CharField(
                    label=_("%(language)s: your own words (optional)") % {"language": name},
                    help_text=_(
                        "Only people who read %(language)s get this text. Left empty, they get "
                        "only the facts above."
                    )
                    % {"language": name},
                    max_length=MAX_MESSAGE,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
                ),
            )
        # The hidden fields go last, after the language boxes.
        for name in ("seen_size", "seen_preview"):
            self.fields[name] = self.fields.pop(name)

    def facts(self) -> AlertFacts:
        data = self.cleaned_data
        return AlertFacts(
            seen=tuple(data["seen"]),
            where=data["where"],
            since=data["since"],
            until=data.get("until") or "",
            ask=data["ask"],
            notes={code: data.get(f"note_{code}") or "" for code, _name in self.languages},
        )

    def add_service_errors(self, error) -> None:
        """Show a service's errors beside the fields they name (a language's text beside its
        box), the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class DismissForm(IncidentForm):
    id_prefix = "dismiss"
    reason = forms.ChoiceField(label=_("Why dismiss it"), choices=Incident.DismissReason.choices)


class RetractForm(IncidentForm):
    id_prefix = "retract"
    message = message_field(_("The correction people will get"))
    reason = forms.ChoiceField(label=_("Why retract it"), choices=Incident.DismissReason.choices)


class AllClearForm(IncidentForm):
    id_prefix = "all-clear"
    message = message_field(_("The all-clear people will get"))


class VanForm(IncidentForm):
    id_prefix = "van"
    message = message_field(_("What the legal van should know"), required=False)


class MergeForm(IncidentForm):
    id_prefix = "merge"
    target = forms.ChoiceField(label=_("Merge this incident into"))

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            (str(other.public_id), incident_title(other)) for other in others
        ]


class SplitForm(IncidentForm):
    id_prefix = "split"
    reports = forms.MultipleChoiceField(
        label=_("Reports to move to a new incident"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["reports"]).choices = [
            (str(report.public_id), report_label(report)) for report in reports
        ]


def report_label(report) -> str:
    """Name a report by when it came, how, and its first words: "09:14 · text message:
    Agents at the ambulance bay…", so that two reports from the same page differ."""
    when = formats.time_format(timezone.localtime(report.received_at), "H:i")
    words = " ".join((report.activity or report.location or report.raw_text or "").split())
    if len(words) > REPORT_WORDS:
        words = words[: REPORT_WORDS - 1].rstrip() + "…"
    label = f"{when} · {report.get_source_display()}"
    return f"{label}: {words}" if words else label
