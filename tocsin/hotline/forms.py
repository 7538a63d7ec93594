"""Forms of the hotline: a member's plan and trigger, and a case's screens. They parse;
services decide and store."""

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tocsin.core import languages
from tocsin.core.forms import DateTimeInput, NamedErrorsForm

from .models import Case, CaseEvent
from .services.people import MAX_NAME
from .services.plans import CARE_FIELDS, MAX_MESSAGE, MAX_TEXT, MESSAGE_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTACT_ROWS = 3
RELATION_CHOICES = [
    ("", _("Choose…")),
    ("spouse", _("husband or wife")),
    ("partner", _("partner")),
    ("parent", _("mother or father")),
    ("child", _("son or daughter")),
    ("sibling", _("brother or sister")),
    ("relative", _("another relative")),
    ("friend", _("friend")),
    ("coworker", _("coworker")),
    ("other", pgettext_lazy("relation", "other")),
]
RELATION_LABELS = dict(RELATION_CHOICES) | {"lawyer": _("lawyer")}
CHANNEL_CHOICES = [
    ("sms", _("text message (SMS)")),
    ("signal", _("Signal")),
    ("email", _("email")),
]
CARE_LABELS = {
    "children": _("Children: names, ages, school or daycare"),
    "pickup": _("Who may pick up the children"),
    "medication": _("Medication and health needs"),
    "pets": _("Pets"),
    "documents": _("Where your documents are kept"),
    "covers": _("Anyone else this plan is for (for example your husband)"),
}


class ServiceErrorsForm(NamedErrorsForm):
    """Map a service's dotted field names (`contacts.0.address`) onto this form's fields."""

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            name = self.field_name(key)
            self.add_error(name if name in self.fields else None, messages)

    def field_name(self, key: str) -> str:
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            return f"{parts[0][:-1]}{int(parts[1]) + 1}_{parts[2]}"
        if len(parts) == 2:
            return f"{parts[0]}_{parts[1]}"
        return self.service_fields.get(key, key)


def person_fields(
    form: NamedErrorsForm, prefix: str, label: "StrOrPromise", relation: bool = True
) -> None:
    """Add the fields of one person to tell: name, relation, channel, address, language."""
    form.add_field(
        f"{prefix}_name", forms.CharField(label=label, required=False, max_length=MAX_NAME)
    )
    if relation:
        form.add_field(
            f"{prefix}_relation",
            forms.ChoiceField(
                label=_("Who they are to you"), choices=RELATION_CHOICES, required=False
            ),
        )
    form.add_field(
        f"{prefix}_channel",
        forms.ChoiceField(label=_("How to reach them"), choices=CHANNEL_CHOICES, required=False),
    )
    form.add_field(
        f"{prefix}_address",
        forms.CharField(label=_("Their phone number or email"), required=False, max_length=200),
    )
    form.add_field(
        f"{prefix}_language",
        forms.ChoiceField(label=_("Their language"), choices=languages.choices, required=False),
    )


def person_from(data: dict, prefix: str) -> dict:
    return {
        key: data.get(f"{prefix}_{key}") or ""
        for key in ("name", "relation", "channel", "address", "language")
    }


def person_initial(person: dict, prefix: str) -> dict:
    return {f"{prefix}_{key}": value for key, value in person.items()}


class PlanForm(ServiceErrorsForm):
    """The member's plan: up to three trusted contacts, a lawyer, a message, care, a PIN."""

    service_fields = {"contacts": "contact1_name"}

    def __init__(self, *args, organizations=(), content=None, has_pin=False, **kwargs):
        content = content or {}
        initial = kwargs.pop("initial", {}) or {}
        for index, contact in enumerate(content.get("contacts", [])[:CONTACT_ROWS]):
            initial.update(person_initial(contact, f"contact{index + 1}"))
        initial.update(person_initial(content.get("lawyer") or {}, "lawyer"))
        for name in (*MESSAGE_FIELDS, *CARE_FIELDS):
            initial[name] = content.get(name, "")
        super().__init__(*args, initial=initial, **kwargs)
        for row in range(1, CONTACT_ROWS + 1):
            person_fields(self, f"contact{row}", _("Name"))
        person_fields(self, "lawyer", _("Your lawyer or legal partner"), relation=False)
        self.add_field(
            "message",
            forms.CharField(
                label=_("Your message to them"),
                help_text=_(
                    "If you are taken: we send it to each of them, word for word (for example "
                    "“I have been detained…”)."
                ),
                required=False,
                max_length=MAX_MESSAGE,
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
        )
        self.add_field(
            "covered_message",
            forms.CharField(
                label=_("Your message if someone this plan covers is taken"),
                help_text=_(
                    "For example “My husband José has been detained…”. If you leave it empty, "
                    "we tell them, in their language, who was taken and that you asked us to."
                ),
                required=False,
                max_length=MAX_MESSAGE,
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
        )
        for name in CARE_FIELDS:
            self.add_field(
                name,
                forms.CharField(
                    label=CARE_LABELS[name],
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 2}),
                ),
            )
        self.add_field(
            "pin",
            forms.CharField(
                label=_("PIN to set off the plan"),
                help_text=_("4 to 8 digits. Leave it empty to keep the one you have.")
                if has_pin
                else _("4 to 8 digits, that you will remember when you are afraid."),
                required=not has_pin,
                widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            ),
        )
        self.organizations = list(organizations)
        if len(self.organizations) > 1:
            self.add_field(
                "organization",
                forms.ChoiceField(
                    label=_("Which union's hotline to call"),
                    choices=[(o.slug, o.name) for o in self.organizations],
                ),
            )

    def contact_rows(self):
        return [
            [
                self[f"contact{row}_{key}"]
                for key in ("name", "relation", "channel", "address", "language")
            ]
            for row in range(1, CONTACT_ROWS + 1)
        ]

    def lawyer_fields(self):
        return [self[f"lawyer_{key}"] for key in ("name", "channel", "address", "language")]

    def care_fields(self):
        return [self[name] for name in CARE_FIELDS]

    def chosen_organization(self):
        if len(self.organizations) > 1:
            slug = self.cleaned_data.get("organization")
            return next(o for o in self.organizations if o.slug == slug)
        return self.organizations[0]

    def plan_input(self) -> dict:
        data = self.cleaned_data
        return {
            "contacts": [person_from(data, f"contact{row}") for row in range(1, CONTACT_ROWS + 1)],
            "lawyer": person_from(data, "lawyer"),
            **{name: data.get(name, "") for name in (*MESSAGE_FIELDS, *CARE_FIELDS)},
        }


class PlanPinForm(NamedErrorsForm):
    """The plan's PIN, asked before the plan is shown or changed."""

    pin = forms.CharField(
        label=_("Your PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class TriggerForm(NamedErrorsForm):
    pin = forms.CharField(
        label=_("Your PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    taken_where = forms.CharField(
        label=_("Where are you? (if you can say)"), required=False, max_length=MAX_TEXT
    )


class CaseOpenForm(ServiceErrorsForm):
    """A case opened from a call or from an incident."""

    WHO = [
        ("member", _("a member")),
        ("household", _("someone a member's plan covers (their family)")),
        ("other", _("someone else")),
    ]
    service_fields = {"person": "member", "plan": "member", "family": "family1_name"}

    who = forms.ChoiceField(label=_("Who was taken?"), choices=WHO, widget=forms.RadioSelect)
    member = forms.CharField(
        label=_("The member (their phone, email or name as we have it)"),
        required=False,
        max_length=200,
    )
    name = forms.CharField(
        label=_("Name or alias of the person taken"), required=False, max_length=MAX_NAME
    )
    incident = forms.ChoiceField(label=_("The incident it happened at"), required=False)
    taken_at = forms.DateTimeField(label=_("When"), required=False, widget=DateTimeInput())
    taken_where = forms.CharField(label=_("Where"), required=False, max_length=MAX_TEXT)
    agency = forms.ChoiceField(label=_("By which agency"), choices=Case.Agency.choices)
    facility = forms.ChoiceField(label=_("Detention facility, if known"), required=False)
    facility_text = forms.CharField(
        label=_("Or the facility, as the caller said it"), required=False, max_length=MAX_TEXT
    )
    locator = forms.CharField(
        label=_("Locator details (A-number, booking number)"),
        required=False,
        max_length=MAX_NAME,
        help_text=_("Erased when the hotline closes the case."),
    )

    def __init__(self, *args, incidents=(), facilities=(), see_unverified=False, **kwargs):
        super().__init__(*args, **kwargs)
        # An unverified report is for dispatchers and verifiers alone: anyone else (a
        # hotline volunteer) is offered only the incidents dispatchers confirmed.
        self.incidents = {str(i.public_id): i for i in incidents if see_unverified or i.verified}
        self.facilities = {f.code: f for f in facilities}
        cast(forms.ChoiceField, self.fields["incident"]).choices = [("", _("None"))] + [
            (key, f"{timezone.localtime(i.opened_at):%H:%M} · {i.where or _('a place not given')}")
            for key, i in self.incidents.items()
        ]
        cast(forms.ChoiceField, self.fields["facility"]).choices = [("", _("Not known yet"))] + [
            (f.code, f.name) for f in facilities
        ]
        person_fields(self, "family1", _("A relative to keep informed (the caller, say)"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        who = data.get("who")
        if who in ("member", "household") and not data.get("member"):
            self.add_error("member", _("The member: give their phone, email or name."))
        if who in ("household", "other") and not data.get("name"):
            self.add_error("name", _("Write the person's name, or an alias the family will know."))
        return data

    def chosen_incident(self):
        return self.incidents.get(self.cleaned_data.get("incident") or "")

    def chosen_facility(self):
        return self.facilities.get(self.cleaned_data.get("facility") or "")

    def family(self) -> list[dict]:
        person = person_from(self.cleaned_data, "family1")
        return [person] if person["name"] or person["address"] else []

    def family_fields(self):
        return [
            self[f"family1_{key}"] for key in ("name", "relation", "channel", "address", "language")
        ]


class StateForm(NamedErrorsForm):
    state = forms.ChoiceField(label=_("State"), choices=Case.State.choices)


class CloseForm(NamedErrorsForm):
    confirm = forms.BooleanField(
        label=_("The work on this case is done"),
        error_messages={"required": _("Tick the box to confirm that the work is done.")},
    )


class EventForm(NamedErrorsForm):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[
            (k, label) for k, label in CaseEvent.Kind.choices if k in CaseEvent.LOGGED_BY_HAND
        ],
    )
    note = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    at = forms.DateTimeField(
        label=_("When (for a hearing, its date)"), required=False, widget=DateTimeInput()
    )


class DetailsForm(NamedErrorsForm):
    agency = forms.ChoiceField(label=_("Agency"), choices=Case.Agency.choices)
    facility = forms.ChoiceField(label=_("Detention facility"), required=False)
    facility_text = forms.CharField(
        label=_("Facility, in words"), required=False, max_length=MAX_TEXT
    )
    locator = forms.CharField(
        label=_("Locator details (A-number, booking number)"), required=False, max_length=MAX_NAME
    )

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.facilities = {f.code: f for f in facilities}
        cast(forms.ChoiceField, self.fields["facility"]).choices = [("", _("Not known yet"))] + [
            (f.code, f.name) for f in facilities
        ]

    def chosen_facility(self):
        return self.facilities.get(self.cleaned_data.get("facility") or "")


class PeopleChoiceForm(NamedErrorsForm):
    """A form whose person fields choose among people given by the view (public ids)."""

    def person_choices(self, name: str, people, empty) -> None:
        self.people = getattr(self, "people", {})
        self.people.update({str(p.public_id): p for p in people})
        cast(forms.ChoiceField, self.fields[name]).choices = [("", empty)] + [
            (str(p.public_id), p.display_name) for p in people
        ]

    def chosen(self, name: str):
        return self.people.get(self.cleaned_data.get(name) or "")


class AssignForm(PeopleChoiceForm):
    case_worker = forms.ChoiceField(label=_("Case worker"), required=False)
    legal_partner = forms.ChoiceField(label=_("Legal partner"), required=False)

    def __init__(self, *args, workers=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_choices("case_worker", workers, _("Nobody yet"))
        self.person_choices("legal_partner", partners, _("Nobody yet"))


class TaskForm(PeopleChoiceForm):
    title = forms.CharField(label=_("Task"), max_length=MAX_TEXT)
    due_at = forms.DateTimeField(label=_("Due"), widget=DateTimeInput())
    assigned_to = forms.ChoiceField(label=_("Who does it"), required=False)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_choices("assigned_to", workers, _("The case worker"))


class UpdateForm(NamedErrorsForm):
    recipients = forms.TypedMultipleChoiceField(
        label=_("Send to"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(
        label=_("The update"), max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["recipients"]).choices = [
            (index, f"{r.get('name')} ({RELATION_LABELS.get(r.get('relation', ''), '')})")
            for index, r in enumerate(recipients)
        ]


class FacilityForm(NamedErrorsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)


class HandoverForm(NamedErrorsForm):
    """Choose the organization whose hotline takes the case (one yours shares cases with)."""

    partner = forms.ChoiceField(
        label=_("Hand the case over to"),
        help_text=_(
            "Their hotline works the case from now on and sees all of it; yours sees its "
            "state until it comes back."
        ),
        error_messages={
            "required": _("Choose the organization that takes the case."),
            "invalid_choice": _("Choose an organization yours shares hotline cases with."),
        },
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {p.slug: p for p in partners}
        cast(forms.ChoiceField, self.fields["partner"]).choices = [("", _("Choose…"))] + [
            (p.slug, p.name) for p in partners
        ]

    def chosen_partner(self):
        return self.partners.get(self.cleaned_data.get("partner") or "")
