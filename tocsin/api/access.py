"""What the API shows to whom, in one place.

Every operation needs a bearer token (see auth.py); operations under /organizations/{org}/
also need membership in that organization, checked before the view runs. Rows inside the
organization are fetched only through the helpers below, which start from it, so an
object of another organization is 404 even to an admin of this one.

Operations under /incidents/{incident}/, /alerts/{alert}/responses and /cases/{case}/ are
guarded the same way: `dispatcher_of_incident`, `recipient_of_alert` and `reader_of_case`
authenticate the token and load the object before ninja parses the body, so whoever may
not see it gets 404 whatever they send.

tests/api/test_access.py walks every operation of the OpenAPI schema and fails when one
answers an anonymous caller or a person of another organization, unless it is listed here.
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tocsin.accounts.models import Membership, Organization, Person, Site, Unit
from tocsin.accounts.roles import has_role
from tocsin.core.ids import as_uuid
from tocsin.delivery.models import Alert, Delivery
from tocsin.hotline.access import get_case_for
from tocsin.hotline.models import Case
from tocsin.response.access import DISPATCHERS, incident_among, incidents_for
from tocsin.response.models import Incident

from .auth import ANY_PERSON

# (method, path) of operations anyone may call without a token, on purpose. The schema
# (/api/v1/openapi.json) and its docs page are not operations and are public too.
PUBLIC_OPERATIONS: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/reports")})

# The guards below are plain callables, which ninja leaves out of the schema: operations
# they guard state the bearer token here, so the schema keeps its one security scheme.
BEARER = {"security": [{"BearerToken": []}]}


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


def dispatch_memberships(person: Person) -> QuerySet[Membership]:
    """Return the person's active memberships that hold the dispatcher role."""
    return Membership.objects.filter(
        has_role(DISPATCHERS), person=person, active=True
    ).select_related("organization")


def dispatchable_incidents(person: Person) -> QuerySet[Incident]:
    """Return every incident the person may dispatch, in any of their organizations."""
    incidents = Incident.objects.none()
    for membership in dispatch_memberships(person):
        incidents |= incidents_for(membership)
    return incidents


def incident_for(person: Person, public_id: str) -> Incident:
    """Return the incident by public id if the person may dispatch it, or 404."""
    return incident_among(dispatchable_incidents(person), public_id)


def alert_sent_to(person: Person, public_id: str) -> Alert:
    """Return the alert by public id if it was sent to the person, or 404: nobody else
    learns that it exists."""
    alert = Alert.objects.filter(
        public_id=as_uuid(public_id),
        pk__in=Delivery.objects.filter(person=person).values("alert_id"),
    ).first()
    if alert is None:
        raise Http404
    return alert


def membership_for_case(person: Person, code: str) -> Membership:
    """Return the person's active membership in the organization of the case with this
    code, or 404. Whether the membership lets them see the case is get_case_for's to say."""
    membership = (
        Membership.objects.select_related("organization", "person")
        .filter(person=person, active=True, organization__cases__code=str(code))
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def case_for(person: Person, code: str) -> tuple[Membership, Case]:
    """Return the case by its code, with the membership that lets the person see it (the
    hotline of its organization, or its legal partner), or 404."""
    membership = membership_for_case(person, code)
    return membership, get_case_for(membership, code)


def path_argument(request: HttpRequest, name: str) -> str:
    match = request.resolver_match
    if match is None or name not in match.kwargs:
        raise Http404
    return str(match.kwargs[name])


def dispatcher_of_incident(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.incident to the `incident` path argument's
    incident if the person may dispatch it, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        request.incident = incident_for(person, path_argument(request, "incident"))
    return person


def recipient_of_alert(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.alert to the `alert` path argument's alert if it
    was sent to the person, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        request.alert = alert_sent_to(person, path_argument(request, "alert"))
    return person


def case_reader(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.case (and request.membership) to the `case` path
    argument's case if the person is on its organization's hotline or is its legal partner,
    else answer 404."""
    from tocsin.hotline.access import get_case_for
    from tocsin.hotline.models import Case

    person = ANY_PERSON(request)
    if person is not None:
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
        request.membership = membership
        request.case = get_case_for(membership, code)
    return person


def reader_of_case(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.case to the `case` path argument's case (by its
    code) and request.membership to the caller's membership in its organization if they may
    see it, else answer 404. Reading it is audited by the operation (read_case)."""
    person = ANY_PERSON(request)
    if person is not None:
        request.membership, request.case = case_for(person, path_argument(request, "case"))
    return person
