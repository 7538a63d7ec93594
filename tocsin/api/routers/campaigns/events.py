"""Events: the caller's list, create or propose one, read one, add a shift."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Membership, Person
from tocsin.api.access import ANY_PERSON, EVENT_READER
from tocsin.api.routers.common import READ, WRITE, annotate
from tocsin.campaigns.access import ORGANIZERS, events_listed_for
from tocsin.campaigns.models import Event, Rsvp
from tocsin.campaigns.services import check_in as check_in_services
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps

from .schemas import EventIn, EventOut, ShiftIn, ShiftOut

router = Router(tags=["campaigns"], auth=ANY_PERSON)


def for_caller(person: Person, organizer: Membership | None, event: Event) -> Event:
    """Return the event, showing its place (EventOut.place) unless it is kept for people
    who RSVP and the caller neither RSVPed nor organizes its host."""
    rsvp = Rsvp.objects.filter(event=event, person=person).first()
    annotate(
        event,
        address_shown=(
            not event.address_hidden_until_rsvp
            or organizer is not None
            or (rsvp is not None and rsvp.status != Rsvp.Status.CANCELLED)
        ),
    )
    return event


@router.get("/events", response={200: list[EventOut], **READ})
def list_events(request: HttpRequest) -> list[Event]:
    """The events on the caller's own list: those of their organizations and any they
    answered, from those ending today on."""
    person = ANY_PERSON.of(request)
    events = (
        events_listed_for(person)
        .filter(ends_at__gte=timezone.now() - check_in_services.CHECK_IN_AFTER)
        .select_related("organization", "site", "campaign")
        .order_by("starts_at", "id")
    )
    return [for_caller(person, None, event) for event in events]


@router.post("/events", response={201: EventOut, **WRITE})
def create_event(request: HttpRequest, payload: EventIn) -> Status:
    """Create an event (organizers and admins of the host), or propose one (any member:
    it waits for an organizer's approval)."""
    person = ANY_PERSON.of(request)
    membership = get_membership_for(person, payload.organization)
    organization = membership.organization
    data = event_services.EventInput(
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        site=event_services.site_by_code(organization, payload.site),
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        time_zone=payload.time_zone,
        visibility=payload.visibility,
        address_hidden_until_rsvp=payload.address_hidden_until_rsvp,
        campaign=event_services.campaign_by_code(organization, payload.campaign),
    )
    if membership.has(ORGANIZERS):
        event = event_services.create_event(person, organization, data)
    else:
        event = event_services.propose_event(person, organization, data)
    annotate(event, address_shown=True)
    return Status(201, event)


@router.get("/events/{event}", response={200: EventOut, **READ}, auth=EVENT_READER)
def get_event(request: HttpRequest, event: str) -> Event:
    """An event, its shifts and places taken; the place stays empty while it is kept for
    people who RSVP."""
    access = EVENT_READER.of(request)
    return for_caller(access.person, access.organizer, access.event)


@router.post("/events/{event}/shifts", response={201: ShiftOut, **WRITE}, auth=EVENT_READER)
def add_shift(request: HttpRequest, event: str, payload: ShiftIn) -> Status:
    """Add a shift with its capacity (the host's organizers)."""
    access = EVENT_READER.of(request)
    if access.organizer is None:
        raise Http404
    zone = access.event.time_zone
    shift = rsvps.add_shift(
        access.person,
        access.event,
        payload.label,
        event_services.aware(payload.starts_at, zone),
        event_services.aware(payload.ends_at, zone),
        payload.capacity,
    )
    return Status(201, shift)
