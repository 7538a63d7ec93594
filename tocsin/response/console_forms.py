"""The dispatcher's forms: they parse what was typed; the services decide and store."""

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tocsin.joining.forms import NamedErrorsForm

from .models import Incident

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


class ConfirmForm(IncidentForm):
    id_prefix = "confirm"
    message = message_field(_("What is happening (the alert's text)"))
    where = forms.CharField(label=_("Where"), max_length=300, required=False)
    ask = forms.ChoiceField(label=_("What people are asked to do"), choices=ASK_CHOICES)
    radius_m = forms.TypedChoiceField(
        label=_("Alert followers of sites within"), coerce=int, choices=BROADCAST_RADII
    )
    # Set by the preview step: the dispatcher has seen the audience size.
    seen_size = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["radius_m"].initial = settings.TOCSIN_BROADCAST_RADIUS_M


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
        self.fields["target"].choices = [
            (str(other.public_id), f"{other.short_id} · {other.where or '—'}") for other in others
        ]


class SplitForm(IncidentForm):
    id_prefix = "split"
    reports = forms.MultipleChoiceField(
        label=_("Reports to move to a new incident"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [
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
