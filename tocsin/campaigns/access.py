"""Who sees which campaigns and events. Every view and API operation fetches through here.

An event is seen, once approved, by:

- public: anyone (its public page never shows who RSVPed, and keeps a hidden address);
- members: active members of the host organization and of its locals (a federation's
  event is its locals' too), of an organization promoting it, and of the organizations
  owning or taking part in its campaign;
- organization: active members of the host organization only.

A proposed or declined event is seen by the member who proposed it and by the host's
organizers; anyone who RSVPed keeps seeing an event that was cancelled. Staff screens see
the events their organization hosts, those of the campaigns it owns or takes part in, and
those it could promote. The list of who RSVPed is for the host's organizers only.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role

from .models import Campaign, Event, Rsvp

ORGANIZERS = Role.ORGANIZER | Role.ADMIN
SHOWN = (Event.State.APPROVED, Event.State.CANCELLED)


def organization_ids_of(person: Person) -> list[int]:
    return list(
        Membership.objects.filter(person=person, active=True).values_list(
            "organization_id", flat=True
        )
    )


def concerning(organization_ids) -> Q:
    """Events that concern these organizations: hosted (by them or the federation they
    are locals of), promoted, or in their campaigns."""
    return (
        Q(organization_id__in=organization_ids)
        | Q(organization__children__in=organization_ids)
        | Q(promotions__organization_id__in=organization_ids)
        | Q(campaign__organization_id__in=organization_ids)
        | Q(campaign__participants__in=organization_ids)
    )


def seen_by_members_of(organization_ids) -> Q:
    return (
        Q(visibility=Event.Visibility.PUBLIC)
        | (Q(visibility=Event.Visibility.MEMBERS) & concerning(organization_ids))
        | Q(visibility=Event.Visibility.ORGANIZATION, organization_id__in=organization_ids)
    )


def distinct(events) -> QuerySet[Event]:
    """One row per event, whatever the joins above matched (no DISTINCT on the outer query)."""
    return Event.objects.filter(pk__in=events.values("pk"))


def events_for_member(person: Person) -> QuerySet[Event]:
    """Return every event the person may open on their member pages."""
    ids = organization_ids_of(person)
    shown = Event.objects.filter(seen_by_members_of(ids), state=Event.State.APPROVED)
    own = Event.objects.filter(proposed_by=person)
    answered = Event.objects.filter(
        state=Event.State.CANCELLED, rsvps__person=person, rsvps__status=Rsvp.Status.GOING
    )
    return distinct(shown | own | answered)


def events_listed_for(person: Person) -> QuerySet[Event]:
    """Return the events on the person's list: those of their organizations, and any they
    answered (not every public event of every organization on the server)."""
    ids = organization_ids_of(person)
    mine = Event.objects.filter(concerning(ids)) | Event.objects.filter(rsvps__person=person)
    return events_for_member(person).filter(pk__in=mine.values("pk"))


def get_event_for_member(person: Person, code: str) -> Event:
    event = (
        events_for_member(person)
        .select_related("organization", "site", "campaign")
        .filter(code=str(code))
        .first()
    )
    if event is None:
        raise Http404
    return event


def public_event(code: str) -> Event:
    """Return an approved public event by its code, or 404."""
    event = (
        Event.objects.select_related("organization", "site", "campaign")
        .filter(code=str(code), visibility=Event.Visibility.PUBLIC, state=Event.State.APPROVED)
        .first()
    )
    if event is None:
        raise Http404
    return event


def campaigns_for(organization: Organization) -> QuerySet[Campaign]:
    """Return the campaigns an organization owns or takes part in."""
    return Campaign.objects.filter(
        pk__in=Campaign.objects.filter(
            Q(organization=organization) | Q(participants=organization)
        ).values("pk")
    )


def get_campaign_for(organization: Organization, code: str) -> Campaign:
    campaign = campaigns_for(organization).select_related("organization").filter(code=str(code))
    found = campaign.first()
    if found is None:
        raise Http404
    return found


def promotable_events(organization: Organization) -> QuerySet[Event]:
    """Return approved events hosted by others that the organization may promote: public
    ones, and members-only ones of campaigns it owns or takes part in."""
    ids = [organization.pk]
    in_campaigns = Q(campaign__organization_id__in=ids) | Q(campaign__participants__in=ids)
    events = Event.objects.filter(state=Event.State.APPROVED).exclude(organization=organization)
    return distinct(
        events.filter(
            Q(visibility=Event.Visibility.PUBLIC)
            | (Q(visibility=Event.Visibility.MEMBERS) & in_campaigns)
        )
    )


def events_for_staff(organization: Organization) -> QuerySet[Event]:
    """Return the events an organization's organizers see: hosted (any state), in its
    campaigns (approved or cancelled), promoted by it, or promotable."""
    hosted = Event.objects.filter(organization=organization)
    in_campaigns = Event.objects.filter(
        Q(campaign__organization=organization) | Q(campaign__participants=organization),
        state__in=SHOWN,
    )
    promoted = Event.objects.filter(promotions__organization=organization, state__in=SHOWN)
    return distinct(hosted | in_campaigns | promoted | promotable_events(organization))


def get_event_for_staff(organization: Organization, code: str) -> Event:
    event = (
        events_for_staff(organization)
        .select_related("organization", "site", "campaign__organization")
        .filter(code=str(code))
        .first()
    )
    if event is None:
        raise Http404
    return event


def is_host(membership: Membership, event: Event) -> bool:
    """Whether the membership is an organizer of the event's host (who sees who RSVPed)."""
    return membership.organization_id == event.organization_id and membership.has(ORGANIZERS)
