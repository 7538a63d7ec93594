"""Attendance: RSVPs (to an event or a shift, with waitlists), who RSVPed, QR check-ins,
and turnout in counts."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router

from tocsin.api.access import ANY_PERSON, EVENT_READER
from tocsin.api.routers.common import READ, WRITE
from tocsin.campaigns import services
from tocsin.campaigns.models import Event, Rsvp

from .schemas import AttendeeOut, CheckInIn, RsvpIn, RsvpOut, TurnoutOut

router = Router(tags=["campaigns"], auth=ANY_PERSON)


def turnout_of(events: QuerySet[Event], name: str) -> dict:
    return {
        "totals": {"name": name, **services.totals(events)},
        "by_site": services.turnout(events, "site"),
        "by_organization": services.turnout(events, "organization"),
    }


@router.post("/events/{event}/rsvp", response={200: RsvpOut, **WRITE}, auth=EVENT_READER)
def answer_event(request: HttpRequest, event: str, payload: RsvpIn) -> Rsvp:
    """RSVP as the token's person, to the event or one of its shifts; a full shift puts
    them on its waitlist (`status` says which)."""
    access = EVENT_READER.of(request)
    shift = services.shift_by_code(access.event, payload.shift)
    return services.answer(access.person, access.event, shift)


@router.delete("/events/{event}/rsvp", response={200: RsvpOut | None, **WRITE}, auth=EVENT_READER)
def cancel_answer(request: HttpRequest, event: str) -> Rsvp | None:
    """Cancel the token's person's RSVP (nothing to cancel: null)."""
    access = EVENT_READER.of(request)
    return services.cancel_answer(access.person, access.event)


@router.get("/events/{event}/rsvps", response={200: list[AttendeeOut], **READ}, auth=EVENT_READER)
def list_rsvps(request: HttpRequest, event: str) -> list[Rsvp]:
    """Who RSVPed and who checked in: for the host's organizers only."""
    access = EVENT_READER.of(request)
    if access.organizer is None:
        raise Http404
    return list(
        access.event.rsvps.exclude(status=Rsvp.Status.CANCELLED)
        .select_related("person", "shift", "event")
        .order_by("answered_at", "id")
    )


@router.post("/events/{event}/check-ins", response={200: RsvpOut, **WRITE}, auth=EVENT_READER)
def check_in(request: HttpRequest, event: str, payload: CheckInIn) -> Rsvp:
    """Check the token's person in with the secret the event's QR carries (a walk-in if
    they did not RSVP)."""
    access = EVENT_READER.of(request)
    services.check_code(access.event, payload.secret)
    return services.check_in(access.person, access.event)


@router.get("/events/{event}/turnout", response={200: TurnoutOut, **READ}, auth=EVENT_READER)
def get_event_turnout(request: HttpRequest, event: str) -> dict:
    """The event's counts, for the organizers of organizations that see it on their
    staff screens."""
    access = EVENT_READER.of(request)
    if access.staff_membership is None:
        raise Http404
    return turnout_of(Event.objects.filter(pk=access.event.pk), access.event.title)
