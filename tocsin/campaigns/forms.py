"""Forms of campaigns and events. They parse; services decide and store.

Times are typed in the event's own time zone (a vigil in Oakland in Pacific time, whatever
the server's zone), and stored in UTC.
"""

import zoneinfo
from datetime import datetime
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Organization
from tocsin.core.forms import NamedErrorsForm

from .models import Event
from .services.events import TIME_ZONES, EventInput
from .services.limits import MAX_ADDRESS, MAX_CAPACITY, MAX_LABEL, MAX_TEXT, MAX_TITLE

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """Read a time Django made aware in the current zone as a time in `zone` instead."""
    if value is None:
        return None
    try:
        target = zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return value
    return timezone.make_naive(value).replace(tzinfo=target)


def local_value(value: datetime, zone: str) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class ServiceErrorsForm(NamedErrorsForm):
    pass


class CampaignForm(NamedErrorsForm):
    name = forms.CharField(label=_("Name"), max_length=MAX_TITLE, required=False)
    description = forms.CharField(
        label=_("What it is about"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    participants = forms.MultipleChoiceField(
        label=_("Organizations taking part"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members see the campaign's members-only events."),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {
            org.slug: org
            for org in Organization.objects.exclude(pk=organization.pk).order_by("name")
        }
        cast(forms.ChoiceField, self.fields["participants"]).choices = [
            (slug, org.name) for slug, org in self.others.items()
        ]

    def chosen_participants(self) -> list[Organization]:
        return [self.others[slug] for slug in self.cleaned_data.get("participants", [])]


class EventForm(NamedErrorsForm):
    """An organizer's new event, or a member's proposal (with the organization to ask)."""

    organization = forms.ChoiceField(label=_("Organization to ask"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    address = forms.CharField(
        label=_("Or an address"),
        max_length=MAX_ADDRESS,
        required=False,
        help_text=_("Where to meet, if it is not at one of the sites."),
    )
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES]
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=Event.Visibility.choices,
        initial=Event.Visibility.MEMBERS,
    )
    address_hidden_until_rsvp = forms.BooleanField(
        label=_("Show the address only to people who RSVP"), required=False
    )

    def __init__(self, *args, sites=(), campaigns=(), organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {site.code: site for site in sites}
        self.campaigns = {campaign.code: campaign for campaign in campaigns}
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("Not at a site"))] + [
            (code, site.name) for code, site in self.sites.items()
        ]
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [("", _("No campaign"))] + [
            (code, campaign.name) for code, campaign in self.campaigns.items()
        ]
        if not self.campaigns:
            del self.fields["campaign"]
        if organizations is None:
            del self.fields["organization"]
            self.organizations = {}
        else:
            self.organizations = {org.slug: org for org in organizations}
            cast(forms.ChoiceField, self.fields["organization"]).choices = [
                (slug, org.name) for slug, org in self.organizations.items()
            ]
        if "time_zone" not in self.initial:
            self.initial["time_zone"] = timezone.get_default_timezone_name()

    def chosen_organization(self) -> Organization | None:
        return self.organizations.get(self.cleaned_data.get("organization") or "")

    def event_input(self) -> EventInput:
        data = self.cleaned_data
        zone = data.get("time_zone") or ""
        return EventInput(
            kind=data.get("kind") or "",
            title=data.get("title") or "",
            description=data.get("description") or "",
            site=self.sites.get(data.get("site") or ""),
            address=data.get("address") or "",
            starts_at=in_zone(data.get("starts_at"), zone),
            ends_at=in_zone(data.get("ends_at"), zone),
            time_zone=zone,
            visibility=data.get("visibility") or "",
            address_hidden_until_rsvp=bool(data.get("address_hidden_until_rsvp")),
            campaign=self.campaigns.get(data.get("campaign") or ""),
        )


class ShiftForm(NamedErrorsForm):
    label = forms.CharField(
        label=_("Label"),
        max_length=MAX_LABEL,
        required=False,
        help_text=_("For example “first hour” or “set-up”."),
    )
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    capacity = forms.IntegerField(
        label=_("People needed"), required=False, min_value=1, max_value=MAX_CAPACITY
    )

    def __init__(self, *args, event: Event, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "starts_at": local_value(event.starts_at, event.time_zone),
                "ends_at": local_value(event.ends_at, event.time_zone),
            },
        )
        super().__init__(*args, **kwargs)
        self.event = event

    def times(self) -> tuple[datetime | None, datetime | None]:
        zone = self.event.time_zone
        return (
            in_zone(self.cleaned_data.get("starts_at"), zone),
            in_zone(self.cleaned_data.get("ends_at"), zone),
        )
