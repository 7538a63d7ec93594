"""Who sees which campaigns and events. Every view and API operation fetches through here.

An event is seen, once approved, by:

- public: anyone (its public page never shows who RSVPed, and keeps a hidden address);
- members: active members of the host organization and of its locals (a federation's
  event is its locals' too), of an organization promoting it, of the organizations
  owning or taking part in its campaign, and of the organizations the host shares events
  with under a sharing agreement in force (tocsin.accounts.sharing; decision 0033);
- organization: active members of the host organization only.

A proposed or declined event is seen by the member who proposed it and by the host's
organizers; anyone who RSVPed keeps seeing an event that was cancelled. Staff screens see
the events their organization hosts, those of the campaigns it owns or takes part in, and
those it could promote, and the events shared with it. The list of who RSVPed is for the
host's organizers only, and names only the people who reached the event through the host,
its locals, a promotion or the campaign: those of organizations the host shares events
with are counted by their organization, never named.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role
from tocsin.accounts.sharing import Shares, givers_to, receivers_from

from .models import Campaign, Event, Rsvp

ORGANIZERS = Role.ORGANIZER | Role.ADMIN
SHOWN = (Event.State.APPROVED, Event.State.CANCELLED)
# What sharing events shows a partner's members: never an organization-only event.
SHARED = (Event.Visibility.PUBLIC, Event.Visibility.MEMBERS)


def organization_ids_of(person: Person) -> list[int]:
    return list(
        Membership.objects.filter(person=person, active=True).values_list(
            "organization_id", flat=True
        )
    )


def sharing_events_with(organization_ids) -> list[int]:
    """Return the ids of the organizations that share events with any of these now."""
    return sorted({giver for org in organization_ids for giver in givers_to(org, Shares.EVENTS)})


def concerning(organization_ids, givers=()) -> Q:
    """Events that concern these organizations: hosted (by them or the federation they
    are locals of), promoted, in their campaigns, or members-wide events of `givers`, the
    organizations sharing events with them."""
    return (
        Q(organization_id__in=organization_ids)
        | Q(organization_id__in=givers, visibility__in=SHARED)
        | Q(organization__children__in=organization_ids)
        | Q(promotions__organization_id__in=organization_ids)
        | Q(campaign__organization_id__in=organization_ids)
        | Q(campaign__participants__in=organization_ids)
    )


def seen_by_members_of(organization_ids, givers=()) -> Q:
    return (
        Q(visibility=Event.Visibility.PUBLIC)
        | (Q(visibility=Event.Visibility.MEMBERS) & concerning(organization_ids, givers))
        | Q(visibility=Event.Visibility.ORGANIZATION, organization_id__in=organization_ids)
    )


def distinct(events) -> QuerySet[Event]:
    """One row per event, whatever the joins above matched (no DISTINCT on the outer query)."""
    return Event.objects.filter(pk__in=events.values("pk"))


def events_for_member(person: Person) -> QuerySet[Event]:
    """Return every event the person may open on their member pages."""
    ids = organization_ids_of(person)
    givers = sharing_events_with(ids)
    seen = seen_by_members_of(ids, givers)
    shown = Event.objects.filter(seen, state=Event.State.APPROVED)
    own = Event.objects.filter(proposed_by=person)
    # A cancelled event stays in view of those going, while they may still see it.
    answered = Event.objects.filter(
        seen, state=Event.State.CANCELLED, rsvps__person=person, rsvps__status=Rsvp.Status.GOING
    )
    return distinct(shown | own | answered)


def events_listed_for(person: Person) -> QuerySet[Event]:
    """Return the events on the person's list: those of their organizations, and any they
    answered (not every public event of every organization on the server)."""
    ids = organization_ids_of(person)
    givers = sharing_events_with(ids)
    mine = Event.objects.filter(concerning(ids, givers)) | Event.objects.filter(
        rsvps__person=person
    )
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


def shared_with(organization: Organization) -> QuerySet[Event]:
    """Return the events other organizations share with this one now (approved or
    cancelled, public or members-wide; never an organization-only one)."""
    return Event.objects.filter(
        organization_id__in=givers_to(organization, Shares.EVENTS),
        visibility__in=SHARED,
        state__in=SHOWN,
    )


def events_for_staff(organization: Organization) -> QuerySet[Event]:
    """Return the events an organization's organizers see: hosted (any state), in its
    campaigns (approved or cancelled), promoted by it, promotable, or shared with it."""
    hosted = Event.objects.filter(organization=organization)
    in_campaigns = Event.objects.filter(
        Q(campaign__organization=organization) | Q(campaign__participants=organization),
        state__in=SHOWN,
    )
    promoted = Event.objects.filter(promotions__organization=organization, state__in=SHOWN)
    return distinct(
        hosted
        | in_campaigns
        | promoted
        | promotable_events(organization)
        | shared_with(organization)
    )


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


def audience_organizations(event: Event) -> set[int]:
    """Return the ids of the organizations whose members see the event on their own
    (the host, its locals, promoters, the campaign's organizations), besides sharing."""
    ids = {event.organization_id}
    if event.visibility == Event.Visibility.ORGANIZATION:
        return ids
    ids |= set(event.organization.children.values_list("pk", flat=True))
    ids |= set(event.promotions.values_list("organization_id", flat=True))
    if event.campaign is not None:
        ids |= event.campaign.organization_ids()
    return ids


def reachable_organizations(event: Event) -> set[int]:
    """Return the ids of the organizations whose members the event reaches now: its own
    audience and, for a members-wide event, the organizations the host shares events with."""
    ids = audience_organizations(event)
    if event.visibility == Event.Visibility.MEMBERS:
        ids |= set(receivers_from(event.organization_id, Shares.EVENTS))
    return ids


def still_reached(event: Event, person_ids) -> list[int]:
    """Return those of `person_ids` the event may still reach: anyone for a public event,
    else the active members of the organizations it reaches now (an agreement that ended
    takes the partner's members out, whatever they answered before)."""
    if event.visibility == Event.Visibility.PUBLIC:
        return list(person_ids)
    return sorted(
        set(
            Membership.objects.filter(
                person_id__in=person_ids,
                organization_id__in=reachable_organizations(event),
                active=True,
            ).values_list("person_id", flat=True)
        )
    )


def named_to_host(event: Event) -> QuerySet[Person]:
    """Return the people whose names the host's organizers may see among those who RSVPed:
    members of the event's own audience, not those reached through sharing only."""
    return Person.objects.filter(
        memberships__organization_id__in=audience_organizations(event), memberships__active=True
    )
