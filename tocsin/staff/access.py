"""Fetch an organization's own rows for its admin screens; anything else is 404.

The organization comes from the membership `tocsin.accounts.access.org_view` hands the view,
having checked that the acting person holds the role in it.
"""

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from tocsin.accounts.models import Membership, Organization, Site, Unit


def get_membership_in(organization: Organization, person_public_id: str) -> Membership:
    """Return the membership in this organization of the person with that public id."""
    try:
        public_id = uuid.UUID(str(person_public_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        Membership.objects.select_related("person", "unit", "site"),
        organization=organization,
        person__public_id=public_id,
    )


def get_site_of(organization: Organization, site_code: str) -> Site:
    """Return a site where this organization is present."""
    return get_object_or_404(organization.sites.all(), code=site_code)


def get_unit_of(organization: Organization, unit_code: str) -> Unit:
    return get_object_or_404(organization.units.all(), code=unit_code)
