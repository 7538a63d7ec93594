"""Campaigns: list an organization's, start one, read one, its events and its turnout."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import ngettext
from ninja import Router, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Organization
from tocsin.api.access import ANY_PERSON, CAMPAIGN_READER
from tocsin.api.routers.common import READ, WRITE
from tocsin.campaigns.access import ORGANIZERS, campaigns_for, events_for_member, events_for_staff
from tocsin.campaigns.models import Campaign, Event
from tocsin.campaigns.services import campaigns as campaign_services

from .attendance import turnout_of
from .events import for_caller
from .schemas import CampaignIn, CampaignOut, EventOut, TurnoutOut

router = Router(tags=["campaigns"], auth=ANY_PERSON)


@router.get("/campaigns", response={200: list[CampaignOut], **READ})
def list_campaigns(request: HttpRequest, organization: str) -> list[Campaign]:
    """The campaigns an organization owns or takes part in, for its members."""
    membership = get_membership_for(ANY_PERSON.of(request), organization)
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
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    """Start a campaign (organizers and admins of the owner)."""
    person = ANY_PERSON.of(request)
    membership = get_membership_for(person, payload.organization, ORGANIZERS)
    participants = organizations_named(payload.participants)
    campaign = campaign_services.create_campaign(
        person,
        membership.organization,
        payload.name,
        payload.description,
        payload.starts_on,
        payload.ends_on,
        participants,
    )
    return Status(201, campaign)


@router.get("/campaigns/{campaign}", response={200: CampaignOut, **READ}, auth=CAMPAIGN_READER)
def get_campaign(request: HttpRequest, campaign: str) -> Campaign:
    return CAMPAIGN_READER.of(request).campaign


@router.get(
    "/campaigns/{campaign}/events",
    response={200: list[EventOut], **READ},
    auth=CAMPAIGN_READER,
)
def list_campaign_events(request: HttpRequest, campaign: str) -> list[Event]:
    """The campaign's events the caller may see, by start."""
    access = CAMPAIGN_READER.of(request)
    events: QuerySet[Event] = (
        events_for_member(access.person)
        .filter(campaign=access.campaign)
        .select_related("organization", "site", "campaign")
        .order_by("starts_at", "id")
    )
    return [for_caller(access.person, None, event) for event in events]


@router.get(
    "/campaigns/{campaign}/turnout",
    response={200: TurnoutOut, **READ},
    auth=CAMPAIGN_READER,
)
def get_campaign_turnout(request: HttpRequest, campaign: str) -> dict:
    """RSVPs, check-ins and the waitlist by site and host, in counts (organizers only)."""
    access = CAMPAIGN_READER.of(request)
    if not access.membership.has(ORGANIZERS):
        raise Http404
    events = events_for_staff(access.membership.organization).filter(campaign=access.campaign)
    return turnout_of(events, access.campaign.name)
