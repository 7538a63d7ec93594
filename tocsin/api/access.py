"""What the API shows to whom, in one place: every guard of every operation.

Every operation but sending a report needs a bearer token (see auth.py). A guard
authenticates it and loads what the operation acts on before ninja parses the body, so
whoever may not see that object gets 404 whatever they send. It hands the view a typed
object, read back with `GUARD.of(request)`:

- `ANY_PERSON`: the token's `Person`; the operation finds its own objects from them.
- `ORG_MEMBER`, `ORG_ADMIN`: operations under /organizations/{org}/; an `OrganizationAccess`
  with the caller's membership in that organization (403 without the admin role).
- `INCIDENT_DISPATCHER`, `ALERT_RECIPIENT`, `CASE_READER`, `PLEDGE_READER`, `VOTE_READER`,
  `UNIT_ORGANIZER`, `CAMPAIGN_READER`, `EVENT_READER`: operations under /incidents/{incident}/,
  /alerts/{alert}/responses, /cases/{case}/, /pledges/{pledge}/, /votes/{vote}/,
  /organizations/{org}/units/{unit}/ (structure), /campaigns/{campaign}/, /events/{event}/;
  the object with what the caller is to it.

Rows inside an organization are fetched only through the helpers below, which start from
it, so an object of another organization is 404 even to an admin of this one.

tests/api/test_access.py walks every operation of the OpenAPI schema and fails when one
answers an anonymous caller or a person of another organization, unless it is listed here.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, ConfigError

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Membership, Organization, Person, Site, Unit
from tocsin.accounts.roles import Role, has_role
from tocsin.campaigns import access as campaigns
from tocsin.campaigns.models import Campaign, Event
from tocsin.core.ids import as_uuid
from tocsin.delivery.models import Alert, Delivery
from tocsin.hotline.access import get_case_for
from tocsin.hotline.models import Case
from tocsin.pledges.access import get_pledge_for_reader
from tocsin.pledges.models import Pledge
from tocsin.response.access import DISPATCHERS, incident_among, incidents_for
from tocsin.response.models import Incident
from tocsin.structure.access import get_unit_for
from tocsin.votes.access import get_vote_for_reader
from tocsin.votes.models import Vote

from .auth import BearerToken

# (method, path) of operations anyone may call without a token, on purpose. The schema
# (/api/v1/openapi.json) and its docs page are not operations and are public too.
PUBLIC_OPERATIONS: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/reports")})

ANY_ROLE = Role(sum(Role))


def path_argument(request: HttpRequest, name: str) -> str:
    match = request.resolver_match
    if match is None or name not in match.kwargs:
        raise Http404
    return str(match.kwargs[name])


def the_person(request: HttpRequest, person: Person) -> Person:
    return person


# The token's person, for operations that find their objects from them.
ANY_PERSON = BearerToken(the_person, Person)


def caller(request: HttpRequest) -> Person:
    """Return the token's person, whichever guard let the request in (for an output
    schema, which sees the request but not the operation's guard)."""
    granted = cast(Any, request).auth
    return granted if isinstance(granted, Person) else granted.person


def reporter_of(request: HttpRequest) -> Person | None:
    """Return the person of the request's token, None without one; refuse a bad token.
    Anyone may send a report: the reports operation has no guard and asks here."""
    if "Authorization" not in request.headers:
        return None
    person = ANY_PERSON(request)
    if person is None:
        raise AuthenticationError
    return person


@dataclass(frozen=True)
class OrganizationAccess:
    """The caller's active membership in the `org` path argument's organization."""

    person: Person
    membership: Membership

    @property
    def organization(self) -> Organization:
        return self.membership.organization


def member_of_organization(role: Role) -> Callable[[HttpRequest, Person], OrganizationAccess]:
    """Return a loader of the caller's membership in the `org` path argument's organization:
    404 for anyone who is not an active member, 403 for a member without `role`."""

    def load(request: HttpRequest, person: Person) -> OrganizationAccess:
        match = request.resolver_match
        if match is None or "org" not in match.kwargs:
            raise ConfigError("An organization role guards only paths with an {org} argument.")
        # Raises Http404 for anyone who is not an active member: the API answers 404.
        membership = get_membership_for(person, match.kwargs["org"], ANY_ROLE)
        if not membership.has(role):
            raise AuthorizationError(
                message=_("Your role in this organization does not allow this.")
            )
        return OrganizationAccess(person, membership)

    return load


ORG_MEMBER = BearerToken(member_of_organization(ANY_ROLE), OrganizationAccess)
ORG_ADMIN = BearerToken(member_of_organization(Role.ADMIN), OrganizationAccess)


def site_of(organization: Organization, code: str) -> Site:
    """Return a site where the organization is present, by code, or 404."""
    site = organization.sites.filter(code=code).first()
    if site is None:
        raise Http404
    return site


def unit_of(organization: Organization, code: str) -> Unit:
    unit = organization.units.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def membership_of(organization: Organization, public_id: uuid.UUID | str) -> Membership:
    """Return the membership (active or not) of a person in the organization, or 404."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    membership = (
        organization.memberships.select_related("person", "unit", "site")
        .filter(person__public_id=public_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def active_memberships(person: Person) -> QuerySet[Membership]:
    return Membership.objects.filter(person=person, active=True).select_related("organization")


def dispatchable_incidents(person: Person) -> QuerySet[Incident]:
    """Return every incident the person may dispatch, in any of their organizations."""
    incidents = Incident.objects.none()
    for membership in active_memberships(person).filter(has_role(DISPATCHERS)):
        incidents |= incidents_for(membership)
    return incidents


@dataclass(frozen=True)
class IncidentAccess:
    """An incident the caller may dispatch."""

    person: Person
    incident: Incident


def dispatcher_of_incident(request: HttpRequest, person: Person) -> IncidentAccess:
    incident = incident_among(dispatchable_incidents(person), path_argument(request, "incident"))
    return IncidentAccess(person, incident)


INCIDENT_DISPATCHER = BearerToken(dispatcher_of_incident, IncidentAccess)


# Who may follow an alert's delivery: the roles that send alerts.
SENDERS = Role.DISPATCHER | Role.ORGANIZER | Role.ADMIN


def alert_for_sender(person: Person, public_id: str) -> Alert:
    """Return the alert if the person sends alerts in its organization, or 404."""
    alert = Alert.objects.select_related("organization").filter(public_id=as_uuid(public_id))
    found = alert.first()
    if found is None:
        raise Http404
    get_membership_for(person, found.organization.slug, SENDERS)
    return found


@dataclass(frozen=True)
class AlertAccess:
    """An alert that was sent to the caller: nobody else learns that it exists."""

    person: Person
    alert: Alert


def recipient_of_alert(request: HttpRequest, person: Person) -> AlertAccess:
    alert = Alert.objects.filter(
        public_id=as_uuid(path_argument(request, "alert")),
        pk__in=Delivery.objects.filter(person=person).values("alert_id"),
    ).first()
    if alert is None:
        raise Http404
    return AlertAccess(person, alert)


ALERT_RECIPIENT = BearerToken(recipient_of_alert, AlertAccess)


@dataclass(frozen=True)
class CaseAccess:
    """A case the caller is on the hotline of, or is the legal partner of, with their
    membership in its organization. Reading it is audited by the operation."""

    person: Person
    membership: Membership
    case: Case


def reader_of_case(request: HttpRequest, person: Person) -> CaseAccess:
    code = path_argument(request, "case")
    case = Case.objects.filter(code=code).only("organization_id").first()
    membership = (
        Membership.objects.select_related("organization", "person")
        .filter(person=person, organization_id=case.organization_id, active=True)
        .first()
        if case is not None
        else None
    )
    if membership is None:
        raise Http404
    return CaseAccess(person, membership, get_case_for(membership, code))


CASE_READER = BearerToken(reader_of_case, CaseAccess)


@dataclass(frozen=True)
class PledgeAccess:
    """A pledge whose organization the caller organizes, or that asks them."""

    person: Person
    pledge: Pledge


def reader_of_pledge(request: HttpRequest, person: Person) -> PledgeAccess:
    return PledgeAccess(person, get_pledge_for_reader(person, path_argument(request, "pledge")))


PLEDGE_READER = BearerToken(reader_of_pledge, PledgeAccess)


@dataclass(frozen=True)
class VoteAccess:
    """A vote whose organization the caller organizes (`organizes`), or whose roll they
    are on."""

    person: Person
    vote: Vote
    organizes: bool


def reader_of_vote(request: HttpRequest, person: Person) -> VoteAccess:
    vote, organizes = get_vote_for_reader(person, path_argument(request, "vote"))
    return VoteAccess(person, vote, organizes)


VOTE_READER = BearerToken(reader_of_vote, VoteAccess)


@dataclass(frozen=True)
class UnitAccess:
    """A unit of the `org` organization that the caller organizes."""

    person: Person
    membership: Membership
    unit: Unit


def organizer_of_unit(request: HttpRequest, person: Person) -> UnitAccess:
    membership = (
        Membership.objects.select_related("organization", "person")
        .filter(person=person, organization__slug=path_argument(request, "org"), active=True)
        .first()
    )
    if membership is None:
        raise Http404
    return UnitAccess(person, membership, get_unit_for(membership, path_argument(request, "unit")))


UNIT_ORGANIZER = BearerToken(organizer_of_unit, UnitAccess)


@dataclass(frozen=True)
class CampaignAccess:
    """A campaign whose owner, or one of the organizations taking part, the caller is a
    member of, with that membership."""

    person: Person
    membership: Membership
    campaign: Campaign


def reader_of_campaign(request: HttpRequest, person: Person) -> CampaignAccess:
    code = path_argument(request, "campaign")
    for membership in active_memberships(person):
        campaign = campaigns.campaigns_for(membership.organization).filter(code=code).first()
        if campaign is not None:
            return CampaignAccess(person, membership, campaign)
    raise Http404


CAMPAIGN_READER = BearerToken(reader_of_campaign, CampaignAccess)


@dataclass(frozen=True)
class EventAccess:
    """An event the caller may see, as a member or as an organizer of an organization that
    sees it on its staff screens (`staff_membership`); `organizer` is their organizer
    membership of the host, if any."""

    person: Person
    event: Event
    organizer: Membership | None
    staff_membership: Membership | None


def reader_of_event(request: HttpRequest, person: Person) -> EventAccess:
    code = path_argument(request, "event")
    event = campaigns.events_for_member(person).filter(code=code).first()
    organizer = staff_membership = None
    for membership in active_memberships(person):
        if not membership.has(campaigns.ORGANIZERS):
            continue
        found = campaigns.events_for_staff(membership.organization).filter(code=code).first()
        if found is not None:
            event = found
            staff_membership = staff_membership or membership
            if campaigns.is_host(membership, found):
                organizer = membership
    if event is None:
        raise Http404
    event = Event.objects.select_related("organization", "site", "campaign").get(pk=event.pk)
    return EventAccess(person, event, organizer, staff_membership)


EVENT_READER = BearerToken(reader_of_event, EventAccess)
