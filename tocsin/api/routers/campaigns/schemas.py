"""What the campaigns, events and attendance routers read and answer."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from datetime import date, datetime
from typing import Annotated, Literal, TypeAlias

from ninja import Field, Schema

from tocsin.api.schemas import Input, Latitude, Longitude, Moment, text
from tocsin.campaigns import services
from tocsin.campaigns.models import Campaign, Event, Rsvp, Shift

EventKind: TypeAlias = Literal[tuple(Event.Kind.values)]  # type: ignore[valid-type]
Visibility: TypeAlias = Literal[tuple(Event.Visibility.values)]  # type: ignore[valid-type]
TimeZone: TypeAlias = Literal[services.TIME_ZONES]  # type: ignore[valid-type]


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
    name: Annotated[str, text(services.MAX_TITLE)]
    description: Annotated[str, text(services.MAX_TEXT)] = ""
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
    def resolve_taken(shift: Shift) -> int:
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


class EventIn(Input):
    organization: str = Field(description="the host's short name")
    campaign: str | None = Field(None, description="a campaign's code")
    kind: EventKind
    title: Annotated[str, text(services.MAX_TITLE)]
    description: Annotated[str, text(services.MAX_TEXT)] = ""
    site: str | None = Field(None, description="a site's code")
    address: Annotated[str, text(services.MAX_ADDRESS)] = ""
    lat: Latitude | None = None
    lng: Longitude | None = None
    starts_at: Moment = Field(description="without an offset: in the event's time zone")
    ends_at: Moment
    time_zone: TimeZone = "America/Chicago"
    visibility: Visibility = "members"
    address_hidden_until_rsvp: bool = False


class ShiftIn(Input):
    label: Annotated[str, text(services.MAX_LABEL)] = ""
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=services.MAX_CAPACITY)


class RsvpIn(Input):
    shift: str | None = Field(None, description="a shift's code; none for the event itself")


class CheckInIn(Input):
    secret: Annotated[str, text(60, 1)] = Field(description="the secret the event's QR carries")


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
