"""What the API shows to whom, in one place.

Every operation needs a bearer token (see auth.py); operations under /organizations/{org}/
also need membership in that organization, checked before the view runs. Rows inside the
organization are fetched only through the helpers below, which start from it, so an
object of another organization is 404 even to an admin of this one.

tests/api/test_access.py walks every operation of the OpenAPI schema and fails when one
answers an anonymous caller or a person of another organization, unless it is listed here.
"""

import uuid

from django.http import Http404

from tocsin.accounts.models import Membership, Organization, Site, Unit

# (method, path) of operations anyone may call without a token, on purpose. The schema
# (/api/v1/openapi.json) and its docs page are not operations and are public too.
PUBLIC_OPERATIONS: frozenset[tuple[str, str]] = frozenset()


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
