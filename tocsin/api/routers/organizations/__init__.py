"""The caller's organizations."""

from django.http import HttpRequest
from ninja import Router

from tocsin.accounts.models import Membership
from tocsin.api.access import ANY_PERSON, ORG_MEMBER
from tocsin.api.schemas import Error

from .schemas import OrganizationOut

router = Router(tags=["organizations"], auth=ANY_PERSON)


@router.get("/organizations", response={200: list[OrganizationOut], 401: Error}, auth=ANY_PERSON)
def list_organizations(request: HttpRequest) -> list[OrganizationOut]:
    """List the organizations the caller is an active member of."""
    memberships = (
        Membership.objects.filter(person=ANY_PERSON.of(request), active=True)
        .select_related("organization__parent")
        .order_by("organization__name")
    )
    return [OrganizationOut.of(m.organization, m) for m in memberships]


@router.get(
    "/organizations/{org}",
    response={200: OrganizationOut, 401: Error, 404: Error},
    auth=ORG_MEMBER,
)
def get_organization(request: HttpRequest, org: str) -> OrganizationOut:
    """Show one of the caller's organizations, with the caller's roles in it."""
    access = ORG_MEMBER.of(request)
    return OrganizationOut.of(access.organization, access.membership)
