"""What may leave Tocsin through the exchange: the one place that decides it.

Everything the OSDI API, the webhooks and the exports show is read through these helpers,
so a reviewer checks one file. What never leaves, by construction (nothing here reads it):

- hotline data: cases, their notes, emergency plans, facilities (this module does not
  import the hotline);
- who signed a pledge, sealed or open: pledges leave only as their outcome, their
  threshold and bucketed counts of groups big enough to show (pledge_outcomes below);
- structure ratings and tests;
- immigration status: Tocsin has no such field;
- web push subscriptions (their endpoint lets the holder push to a member's browser), and
  contacts that are unconfirmed or that texted STOP;
- members who asked to be kept out (Withheld), and inactive memberships;
- the address of an event shown only to people who RSVP.
"""

from django.db.models import Exists, OuterRef, QuerySet

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.campaigns.models import Event, Rsvp
from tocsin.pledges.models import Pledge

from .models import Withheld

# The channels whose addresses are contact details an organizer's other tools may hold.
SHARED_CHANNELS = (
    ContactPoint.Channel.EMAIL,
    ContactPoint.Channel.SMS,
    ContactPoint.Channel.SIGNAL,
)


def shared_memberships(organization: Organization) -> QuerySet[Membership]:
    """Return the organization's active memberships of active people not kept out."""
    withheld = Withheld.objects.filter(organization=organization, person=OuterRef("person"))
    return (
        Membership.objects.filter(organization=organization, active=True, person__is_active=True)
        .exclude(Exists(withheld))
        .select_related("person")
        .order_by("joined_at", "pk")
    )


def shared_people(organization: Organization) -> QuerySet[Person]:
    return Person.objects.filter(
        pk__in=shared_memberships(organization).values("person_id")
    ).order_by("created_at", "pk")


def shared_contacts(person: Person) -> list[ContactPoint]:
    """Return the person's confirmed email, SMS and Signal contacts that did not opt out, in
    their order of preference."""
    return list(
        person.contacts.filter(
            channel__in=SHARED_CHANNELS, confirmed_at__isnull=False, opted_out_at__isnull=True
        ).order_by("preference", "pk")
    )


def shared_events(organization: Organization) -> QuerySet[Event]:
    """Return the events the organization hosts (not other organizations' it promotes)."""
    return (
        Event.objects.filter(organization=organization)
        .select_related("site")
        .order_by("starts_at", "pk")
    )


def location_shared(event: Event) -> bool:
    """Whether the event's place may leave: not when only people who RSVP may see it."""
    return not event.address_hidden_until_rsvp


def shared_attendances(organization: Organization) -> QuerySet[Rsvp]:
    """Return the RSVPs to the organization's events of people it shares."""
    return (
        Rsvp.objects.filter(
            event__organization=organization,
            person__in=shared_people(organization).values("pk"),
        )
        .select_related("event", "person")
        .order_by("answered_at", "pk")
    )


def shared_pledges(organization: Organization) -> QuerySet[Pledge]:
    """Return the organization's sent pledges, whose outcomes may leave without any signer."""
    return Pledge.objects.filter(organization=organization, roll_taken_at__isnull=False).order_by(
        "deadline", "pk"
    )
