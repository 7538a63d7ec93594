"""Changes to events: create (an organizer's) or propose (a member's), approve or decline,
cancel, promote to another organization; with the checks of an event's fields and the
sites and campaigns an organization may use.

Each change is one transaction with an audit entry holding codes and states, never a title
or an address. The people concerned are told through `messages.tell`.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person, Site
from tocsin.accounts.roles import has_role
from tocsin.audit.services import record
from tocsin.core import geo

from ..access import ORGANIZERS, campaigns_for, promotable_events
from ..models import Campaign, Event, Promotion, Rsvp
from .limits import MAX_ADDRESS, MAX_LENGTH, MAX_TEXT, MAX_TITLE, check_text
from .messages import tell

# A phone's clock a little behind is not a mistake; an event an hour in the past is.
PAST_SLACK = timedelta(hours=1)
TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
)


@dataclass
class EventInput:
    kind: str = Event.Kind.VIGIL
    title: str = ""
    description: str = ""
    site: Site | None = None
    address: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str = ""
    visibility: str = Event.Visibility.MEMBERS
    address_hidden_until_rsvp: bool = False
    campaign: Campaign | None = None


def sites_for(organization: Organization):
    """Sites an organization may hold events at: its own and those of its locals."""
    return Site.objects.filter(
        Q(organizations=organization) | Q(organizations__parent=organization)
    ).distinct()


def sites_for_many(organizations) -> list[Site]:
    """Sites any of these organizations may hold events at, by name."""
    ids = [org.pk for org in organizations]
    return list(
        Site.objects.filter(
            pk__in=Site.objects.filter(
                Q(organizations__in=ids) | Q(organizations__parent__in=ids)
            ).values("pk")
        ).order_by("name", "id")
    )


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def aware(moment: datetime | None, zone: str) -> datetime | None:
    """Read a time given without a zone (from the API) in the event's own zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def site_by_code(organization: Organization, code: str | None) -> Site | None:
    if not code:
        return None
    site = sites_for(organization).filter(code=str(code)).first()
    if site is None:
        raise ValidationError({"site": _("Choose one of your organization's sites.")})
    return site


def campaign_by_code(organization: Organization, code: str | None) -> Campaign | None:
    if not code:
        return None
    campaign = campaigns_for(organization).filter(code=str(code)).first()
    if campaign is None:
        raise ValidationError({"campaign": _("Choose a campaign your organization takes part in.")})
    return campaign


def check_event(
    organization: Organization, data: EventInput
) -> tuple[EventInput, datetime, datetime]:
    """Return the input cleaned with its start and end, or raise ValidationError naming
    each wrong field."""

    errors: dict[str, str] = {}
    if data.kind not in Event.Kind.values:
        errors["kind"] = _("Choose what kind of event it is.")
    data.title = check_text(data.title, "title", MAX_TITLE, errors, _("Give the event a title."))
    data.description = check_text(data.description, "description", MAX_TEXT, errors)
    data.address = check_text(data.address, "address", MAX_ADDRESS, errors)
    if data.site is not None and not sites_for(organization).filter(pk=data.site.pk).exists():
        errors["site"] = _("Choose one of your organization's sites.")
    if data.site is None and not data.address:
        errors["address"] = _("Choose a site or write the address.")
    if (data.lat is None) != (data.lng is None):
        errors["lat"] = _("Give both the latitude and the longitude, or neither.")
    elif data.lat is not None and data.lng is not None:
        for name, message in geo.validate_latlng(data.lat, data.lng):
            errors[name] = message
    data.time_zone = data.time_zone or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(data.time_zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        errors["time_zone"] = _("Choose a time zone from the list.")
        data.time_zone = settings.TIME_ZONE
    data.starts_at = aware(data.starts_at, data.time_zone)
    data.ends_at = aware(data.ends_at, data.time_zone)
    if data.starts_at is None:
        errors["starts_at"] = _("Give the day and time it starts.")
    elif data.starts_at < timezone.now() - PAST_SLACK:
        errors["starts_at"] = _("This time has passed. When does it start?")
    if data.ends_at is None:
        errors["ends_at"] = _("Give the day and time it ends.")
    elif data.starts_at is not None and data.ends_at <= data.starts_at:
        errors["ends_at"] = _("It must end after it starts.")
    elif data.starts_at is not None and data.ends_at - data.starts_at > MAX_LENGTH:
        errors["ends_at"] = _("An event lasts at most two weeks.")
    if data.visibility not in Event.Visibility.values:
        errors["visibility"] = _("Choose who sees the event.")
    campaign = data.campaign
    if campaign is not None:
        if not campaigns_for(organization).filter(pk=campaign.pk).exists():
            errors["campaign"] = _("Choose a campaign your organization takes part in.")
        elif data.starts_at is not None and "starts_at" not in errors:
            day = local_date(data.starts_at, data.time_zone)
            if not campaign.starts_on <= day <= campaign.ends_on:
                errors["starts_at"] = _("The campaign runs from %(first)s to %(last)s.") % {
                    "first": formats.date_format(campaign.starts_on),
                    "last": formats.date_format(campaign.ends_on),
                }
    if errors or data.starts_at is None or data.ends_at is None:
        raise ValidationError(errors)
    return data, data.starts_at, data.ends_at


def new_event(
    actor: Person | None, organization: Organization, data: EventInput, state: str
) -> Event:
    data, starts_at, ends_at = check_event(organization, data)
    return Event.objects.create(
        organization=organization,
        campaign=data.campaign,
        kind=data.kind,
        title=data.title,
        description=data.description,
        site=data.site,
        address=data.address,
        lat=data.lat,
        lng=data.lng,
        time_zone=data.time_zone,
        starts_at=starts_at,
        ends_at=ends_at,
        visibility=data.visibility,
        address_hidden_until_rsvp=data.address_hidden_until_rsvp,
        state=state,
        created_by=actor if getattr(actor, "pk", None) else None,
        proposed_by=actor if state == Event.State.PROPOSED else None,
    )


@transaction.atomic
def create_event(actor: Person | None, organization: Organization, data: EventInput) -> Event:
    """Create an approved event hosted by the organization (an organizer's doing)."""
    event = new_event(actor, organization, data, Event.State.APPROVED)
    record(
        actor,
        "campaigns.event.created",
        event,
        kind=event.kind,
        campaign=event.campaign.code if event.campaign else "",
    )
    return event


@transaction.atomic
def propose_event(person: Person, organization: Organization, data: EventInput) -> Event:
    """A member proposes an event for the organization; its organizers are told."""
    if not Membership.objects.filter(person=person, organization=organization, active=True):
        raise ValidationError({"organization": _("You are not a member of that organization.")})
    event = new_event(person, organization, data, Event.State.PROPOSED)
    record(person, "campaigns.event.proposed", event, kind=event.kind)
    organizers = Membership.objects.filter(
        has_role(ORGANIZERS), organization=organization, active=True
    ).values_list("person_id", flat=True)
    tell(event, "proposed", list(organizers))
    return event


def locked(event: Event) -> Event:
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("organization", "site", "campaign")
        .get(pk=event.pk)
    )


@transaction.atomic
def decide_event(actor: Person, event: Event, approve: bool) -> Event:
    """Approve or decline a member's proposal; the member who proposed it is told."""
    event = locked(event)
    if event.state != Event.State.PROPOSED:
        raise ValidationError(_("This event is not waiting for a decision."))
    event.state = Event.State.APPROVED if approve else Event.State.DECLINED
    event.decided_by = actor
    event.decided_at = timezone.now()
    event.save(update_fields=["state", "decided_by", "decided_at"])
    record(actor, f"campaigns.event.{event.state}", event)
    if event.proposed_by_id:
        tell(event, event.state, [event.proposed_by_id])
    return event


@transaction.atomic
def cancel_event(actor: Person, event: Event) -> Event:
    """Cancel the event; everyone going or waitlisted is told."""
    event = locked(event)
    if event.state == Event.State.CANCELLED:
        return event
    if event.state != Event.State.APPROVED:
        raise ValidationError(_("Only an approved event can be cancelled."))
    event.state = Event.State.CANCELLED
    event.save(update_fields=["state"])
    people = list(
        event.rsvps.filter(status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLISTED]).values_list(
            "person_id", flat=True
        )
    )
    record(actor, "campaigns.event.cancelled", event, told=len(people))
    tell(event, "cancelled", people, actor=actor)
    return event


@transaction.atomic
def promote_event(actor: Person, organization: Organization, event: Event) -> Promotion:
    """Let another organization's members see (and hear of) an event it does not host."""
    if not promotable_events(organization).filter(pk=event.pk).exists():
        raise ValidationError(_("Your organization cannot promote this event."))
    promotion, created = Promotion.objects.get_or_create(
        event=event, organization=organization, defaults={"by": actor}
    )
    if created:
        record(
            actor, "campaigns.event.promoted", event, organization=organization, event=event.code
        )
    return promotion
