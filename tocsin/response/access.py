"""Who sees which incidents: the dispatchers of the incident's organization, and those of
organizations it shares dispatch with. Everyone else gets 404.

Every view and API operation fetches incidents, reports and photos through these helpers,
which start from the acting person's membership.
"""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts import sharing
from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role, has_role
from tocsin.core.ids import as_uuid

from .models import Incident, Photo

DISPATCHERS = Role.DISPATCHER
# Who may type in a phone call: dispatchers and hotline volunteers.
CALL_TAKERS = Role.DISPATCHER | Role.HOTLINE


def dispatch_organization_ids(organization: Organization) -> list[int]:
    """Return the organization and those that share the dispatch of their incidents with it."""
    return [organization.pk, *sharing.givers_to(organization, sharing.Shares.DISPATCH)]


def sharing_dispatch_ids(organization: Organization) -> list[int]:
    """Return the partners whose dispatchers see this organization's incidents."""
    return sharing.receivers_from(organization, sharing.Shares.DISPATCH)


def dispatching_membership(person: Person, org_slug: str) -> Membership:
    """Return the person's dispatcher membership through which they see the incidents of the
    organization of that slug: their own there first, else one in an organization it shares
    dispatch with; 404 when they have neither."""
    if person is None or not getattr(person, "pk", None) or "\x00" in org_slug:
        raise Http404
    organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        raise Http404
    memberships = {
        membership.organization_id: membership
        for membership in Membership.objects.filter(
            has_role(DISPATCHERS),
            person=person,
            active=True,
            organization_id__in=[organization.pk, *sharing_dispatch_ids(organization)],
        ).select_related("organization")
    }
    found = memberships.get(organization.pk) or next(iter(memberships.values()), None)
    if found is None:
        raise Http404
    return found


def incidents_for(membership: Membership) -> QuerySet[Incident]:
    """Return the incidents a dispatcher's membership lets them see (none without the role)."""
    if not membership.has(DISPATCHERS):
        return Incident.objects.none()
    return Incident.objects.filter(
        organization_id__in=dispatch_organization_ids(membership.organization)
    )


def incident_among(incidents: QuerySet[Incident], public_id) -> Incident:
    """Return the incident of that public id among those given, or 404."""
    incident = (
        incidents.select_related("organization", "site", "claimed_by")
        .filter(public_id=as_uuid(public_id))
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def get_incident_for(membership: Membership, public_id) -> Incident:
    """Return the incident by public id if the membership may dispatch it, or 404."""
    return incident_among(incidents_for(membership), public_id)


def get_photo_for(membership: Membership, code: str) -> Photo:
    photo = (
        Photo.objects.filter(
            code=code,
            incident__in=incidents_for(membership),
        )
        .select_related("incident__organization")
        .first()
    )
    if photo is None:
        raise Http404
    return photo
