"""Campaigns, events, shifts, RSVPs, check-ins and turnout.

A campaign is for the members of its owner and of the organizations taking part; an event
for whoever tocsin.campaigns.access lets see it (its public, members or organization
visibility), and for the organizers of the organizations that host it, run its campaign,
take part in it or may promote it. Anyone else gets 404, whatever they send. RSVPs and
check-ins are the token's person's own; who RSVPed is for the host's organizers only.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Membership, Organization, Person
from tocsin.campaigns import services
from tocsin.campaigns.access import (
    ORGANIZERS,
    campaigns_for,
    events_for_member,
    events_for_staff,
    events_listed_for,
    is_host,
)
from tocsin.campaigns.models import Campaign, Event, Rsvp

from ..access import BEARER, path_argument
from ..auth import ANY_PERSON
from ..schemas import Input, Latitude, Longitude, Moment, text
from .common import READ, WRITE

router = Router(tags=["campaigns"], auth=ANY_PERSON)

EventKind = Literal[tuple(Event.Kind.values)]  # type: ignore[valid-type]
Visibility = Literal[tuple(Event.Visibility.values)]  # type: ignore[valid-type]
TimeZone = Literal[services.TIME_ZONES]  # type: ignore[valid-type]


def memberships_of(person: Person):
    return Membership.objects.filter(person=person, active=True).select_related("organization")


def campaign_reader(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.campaign to the `campaign` path argument's
    campaign if the person is a member of its owner or of an organization taking part,
    and request.membership to that membership, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        code = path_argument(request, "campaign")
        for membership in memberships_of(person):
            campaign = campaigns_for(membership.organization).filter(code=code).first()
            if campaign is not None:
                request.campaign, request.membership = campaign, membership
                break
        else:
            raise Http404
    return person


def event_reader(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.event to the `event` path argument's event if
    the person may see it (as a member, or as an organizer of an organization that sees
    it), and request.organizer to their organizer membership of the host, if any; else 404."""
    person = ANY_PERSON(request)
    if person is not None:
        code = path_argument(request, "event")
        event = events_for_member(person).filter(code=code).first()
        request.organizer = None
        request.staff_membership = None
        for membership in memberships_of(person):
            if not membership.has(ORGANIZERS):
                continue
            found = events_for_staff(membership.organization).filter(code=code).first()
            if found is not None:
                event = found
                request.staff_membership = request.staff_membership or membership
                if is_host(membership, found):
                    request.organizer = membership
        if event is None:
            raise Http404
        request.event = Event.objects.select_related("organization", "site", "campaign").get(
            pk=event.pk
        )
    return person


class CampaignOut(Schema):
    code: str
    name: str
    description: str
    organization: str = Field(description="the owner's short name")
    participants: list[str] = Field(description="short names of the organizations taking part")
    starts_on: date
    ends_on: date

    @staticmethod
    def resolve_organization(campaign: Campaign) -> str:
        return campaign.organization.slug

    @staticmethod
    def resolve_participants(campaign: Campaign) -> list[str]:
        return list(campaign.participants.order_by("slug").values_list("slug", flat=True))


class CampaignIn(Input):
    organization: str = Field(description="the owner's short name")
    name: text(services.MAX_TITLE)
    description: text(services.MAX_TEXT) = ""
    starts_on: date
    ends_on: date
    participants: list[str] = Field(
        default_factory=list, max_length=100, description="short names of organizations"
    )


class ShiftOut(Schema):
    code: str
    label: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int

    @staticmethod
    def resolve_taken(shift) -> int:
        return services.places_taken(shift)


class EventOut(Schema):
    code: str
    campaign: str | None
    organization: str = Field(description="the host's short name")
    kind: str
    title: str
    description: str
    site: str | None = Field(description="the site's code")
    place: str = Field(description="the site's name or the address; empty while hidden")
    lat: float | None
    lng: float | None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    visibility: str
    address_hidden_until_rsvp: bool
    state: str
    shifts: list[ShiftOut]

    @staticmethod
    def resolve_campaign(event: Event) -> str | None:
        return event.campaign.code if event.campaign else None

    @staticmethod
    def resolve_organization(event: Event) -> str:
        return event.organization.slug

    @staticmethod
    def resolve_site(event: Event) -> str | None:
        return event.site.code if event.site and shown(event) else None

    @staticmethod
    def resolve_place(event: Event) -> str:
        return event.full_address if shown(event) else ""

    @staticmethod
    def resolve_lat(event: Event) -> float | None:
        value = event.site.lat if event.site else event.lat
        return float(value) if value is not None and shown(event) else None

    @staticmethod
    def resolve_lng(event: Event) -> float | None:
        value = event.site.lng if event.site else event.lng
        return float(value) if value is not None and shown(event) else None

    @staticmethod
    def resolve_shifts(event: Event) -> list:
        return list(event.shifts.all())


def shown(event: Event) -> bool:
    """Whether the caller sees the place (set by the operation): see EventOut.place."""
    return getattr(event, "address_shown", not event.address_hidden_until_rsvp)


def for_caller(request: HttpRequest, event: Event) -> Event:
    rsvp = Rsvp.objects.filter(event=event, person=request.auth).first()
    event.address_shown = (
        not event.address_hidden_until_rsvp
        or getattr(request, "organizer", None) is not None
        or (rsvp is not None and rsvp.status != Rsvp.Status.CANCELLED)
    )
    return event


class EventIn(Input):
    organization: str = Field(description="the host's short name")
    campaign: str | None = Field(None, description="a campaign's code")
    kind: EventKind
    title: text(services.MAX_TITLE)
    description: text(services.MAX_TEXT) = ""
    site: str | None = Field(None, description="a site's code")
    address: text(services.MAX_ADDRESS) = ""
    lat: Latitude | None = None
    lng: Longitude | None = None
    starts_at: Moment = Field(description="without an offset: in the event's time zone")
    ends_at: Moment
    time_zone: TimeZone = "America/Chicago"
    visibility: Visibility = "members"
    address_hidden_until_rsvp: bool = False


class ShiftIn(Input):
    label: text(services.MAX_LABEL) = ""
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=services.MAX_CAPACITY)


class RsvpIn(Input):
    shift: str | None = Field(None, description="a shift's code; none for the event itself")


class CheckInIn(Input):
    secret: text(60, 1) = Field(description="the secret the event's QR carries")


class RsvpOut(Schema):
    event: str
    shift: str | None
    status: str
    checked_in_at: datetime | None
    walk_in: bool

    @staticmethod
    def resolve_event(rsvp: Rsvp) -> str:
        return rsvp.event.code

    @staticmethod
    def resolve_shift(rsvp: Rsvp) -> str | None:
        return rsvp.shift.code if rsvp.shift else None


class AttendeeOut(RsvpOut):
    person: str
    name: str

    @staticmethod
    def resolve_person(rsvp: Rsvp) -> str:
        return str(rsvp.person.public_id)

    @staticmethod
    def resolve_name(rsvp: Rsvp) -> str:
        return rsvp.person.display_name


class CountsOut(Schema):
    name: str
    events: int = 0
    going: int
    checked_in: int
    waitlisted: int


class TurnoutOut(Schema):
    totals: CountsOut
    by_site: list[CountsOut]
    by_organization: list[CountsOut]


def turnout_of(events, name: str) -> dict:
    return {
        "totals": {"name": name, **services.totals(events)},
        "by_site": services.turnout(events, "site"),
        "by_organization": services.turnout(events, "organization"),
    }


@router.get("/campaigns", response={200: list[CampaignOut], **READ})
def list_campaigns(request: HttpRequest, organization: str):
    """The campaigns an organization owns or takes part in, for its members."""
    membership = get_membership_for(request.auth, organization)
    return list(
        campaigns_for(membership.organization)
        .select_related("organization")
        .order_by("-starts_on", "name", "id")
    )


def organizations_named(slugs: list[str]) -> list[Organization]:
    """Return the organizations with these short names, refusing any unknown one by name."""
    found = {org.slug: org for org in Organization.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in dict.fromkeys(slugs) if slug not in found]
    if unknown:
        raise ValidationError(
            {
                "participants": ngettext(
                    "No organization has the short name %(slugs)s.",
                    "No organization has the short names %(slugs)s.",
                    len(unknown),
                )
                % {"slugs": ", ".join(unknown)}
            }
        )
    return list(found.values())


@router.post("/campaigns", response={201: CampaignOut, **WRITE})
def create_campaign(request: HttpRequest, payload: CampaignIn):
    """Start a campaign (organizers and admins of the owner)."""
    membership = get_membership_for(request.auth, payload.organization, ORGANIZERS)
    participants = organizations_named(payload.participants)
    campaign = services.create_campaign(
        request.auth,
        membership.organization,
        payload.name,
        payload.description,
        payload.starts_on,
        payload.ends_on,
        participants,
    )
    return Status(201, campaign)


@router.get(
    "/campaigns/{campaign}",
    response={200: CampaignOut, **READ},
    auth=campaign_reader,
    openapi_extra=BEARER,
)
def get_campaign(request: HttpRequest, campaign: str):
    return request.campaign


@router.get(
    "/campaigns/{campaign}/events",
    response={200: list[EventOut], **READ},
    auth=campaign_reader,
    openapi_extra=BEARER,
)
def list_campaign_events(request: HttpRequest, campaign: str):
    """The campaign's events the caller may see, by start."""
    events = (
        events_for_member(request.auth)
        .filter(campaign=request.campaign)
        .select_related("organization", "site", "campaign")
        .order_by("starts_at", "id")
    )
    return [for_caller(request, event) for event in events]


@router.get(
    "/campaigns/{campaign}/turnout",
    response={200: TurnoutOut, **READ},
    auth=campaign_reader,
    openapi_extra=BEARER,
)
def get_campaign_turnout(request: HttpRequest, campaign: str):
    """RSVPs, check-ins and the waitlist by site and host, in counts (organizers only)."""
    if not request.membership.has(ORGANIZERS):
        raise Http404
    events = events_for_staff(request.membership.organization).filter(campaign=request.campaign)
    return turnout_of(events, request.campaign.name)


@router.get("/events", response={200: list[EventOut], **READ})
def list_events(request: HttpRequest):
    """The events on the caller's own list: those of their organizations and any they
    answered, from those ending today on."""
    from django.utils import timezone

    events = (
        events_listed_for(request.auth)
        .filter(ends_at__gte=timezone.now() - services.CHECK_IN_AFTER)
        .select_related("organization", "site", "campaign")
        .order_by("starts_at", "id")
    )
    return [for_caller(request, event) for event in events]


@router.post("/events", response={201: EventOut, **WRITE})
def create_event(request: HttpRequest, payload: EventIn):
    """Create an event (organizers and admins of the host), or propose one (any member:
    it waits for an organizer's approval)."""
    membership = get_membership_for(request.auth, payload.organization)
    organization = membership.organization
    data = services.EventInput(
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        site=services.site_by_code(organization, payload.site),
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        time_zone=payload.time_zone,
        visibility=payload.visibility,
        address_hidden_until_rsvp=payload.address_hidden_until_rsvp,
        campaign=services.campaign_by_code(organization, payload.campaign),
    )
    if membership.has(ORGANIZERS):
        event = services.create_event(request.auth, organization, data)
    else:
        event = services.propose_event(request.auth, organization, data)
    event.address_shown = True
    return Status(201, event)


@router.get(
    "/events/{event}", response={200: EventOut, **READ}, auth=event_reader, openapi_extra=BEARER
)
def get_event(request: HttpRequest, event: str):
    """An event, its shifts and places taken; the place stays empty while it is kept for
    people who RSVP."""
    return for_caller(request, request.event)


@router.post(
    "/events/{event}/shifts",
    response={201: ShiftOut, **WRITE},
    auth=event_reader,
    openapi_extra=BEARER,
)
def add_shift(request: HttpRequest, event: str, payload: ShiftIn):
    """Add a shift with its capacity (the host's organizers)."""
    if request.organizer is None:
        raise Http404
    zone = request.event.time_zone
    shift = services.add_shift(
        request.auth,
        request.event,
        payload.label,
        services.aware(payload.starts_at, zone),
        services.aware(payload.ends_at, zone),
        payload.capacity,
    )
    return Status(201, shift)


@router.post(
    "/events/{event}/rsvp",
    response={200: RsvpOut, **WRITE},
    auth=event_reader,
    openapi_extra=BEARER,
)
def answer_event(request: HttpRequest, event: str, payload: RsvpIn):
    """RSVP as the token's person, to the event or one of its shifts; a full shift puts
    them on its waitlist (`status` says which)."""
    shift = services.shift_by_code(request.event, payload.shift)
    return services.answer(request.auth, request.event, shift)


@router.delete(
    "/events/{event}/rsvp",
    response={200: RsvpOut | None, **WRITE},
    auth=event_reader,
    openapi_extra=BEARER,
)
def cancel_answer(request: HttpRequest, event: str):
    """Cancel the token's person's RSVP (nothing to cancel: null)."""
    return services.cancel_answer(request.auth, request.event)


@router.get(
    "/events/{event}/rsvps",
    response={200: list[AttendeeOut], **READ},
    auth=event_reader,
    openapi_extra=BEARER,
)
def list_rsvps(request: HttpRequest, event: str):
    """Who RSVPed and who checked in: for the host's organizers only."""
    if request.organizer is None:
        raise Http404
    return list(
        request.event.rsvps.exclude(status=Rsvp.Status.CANCELLED)
        .select_related("person", "shift", "event")
        .order_by("answered_at", "id")
    )


@router.post(
    "/events/{event}/check-ins",
    response={200: RsvpOut, **WRITE},
    auth=event_reader,
    openapi_extra=BEARER,
)
def check_in(request: HttpRequest, event: str, payload: CheckInIn):
    """Check the token's person in with the secret the event's QR carries (a walk-in if
    they did not RSVP)."""
    services.check_code(request.event, payload.secret)
    return services.check_in(request.auth, request.event)


@router.get(
    "/events/{event}/turnout",
    response={200: TurnoutOut, **READ},
    auth=event_reader,
    openapi_extra=BEARER,
)
def get_event_turnout(request: HttpRequest, event: str):
    """The event's counts, for the organizers of organizations that see it on their
    staff screens."""
    if request.staff_membership is None:
        raise Http404
    return turnout_of(Event.objects.filter(pk=request.event.pk), request.event.title)
