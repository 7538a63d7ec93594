"""Sites where an organization is present. Reading needs membership, changing needs admin."""

from django.http import HttpRequest
from ninja import Router, Status

from tocsin.accounts.services.sites import create_site, update_site

from ..access import site_of
from ..auth import ORG_ADMIN, ORG_MEMBER
from ..schemas import SiteIn, SiteOut, SitePatch
from .common import READ, WRITE, refuse_nulls

router = Router(tags=["sites"], auth=ORG_MEMBER)


@router.get("/organizations/{org}/sites", response={200: list[SiteOut], **READ})
def list_sites(request: HttpRequest, org: str):
    """List the sites where the organization is present."""
    return request.organization.sites.order_by("name")


@router.post(
    "/organizations/{org}/sites",
    response={201: SiteOut, **WRITE},
    auth=ORG_ADMIN,
)
def create_organization_site(request: HttpRequest, org: str, payload: SiteIn):
    """Create a site with the organization present at it; its h3 cell is computed."""
    site = create_site(request.auth, request.organization, **payload.model_dump())
    return Status(201, site)


@router.get("/organizations/{org}/sites/{site}", response={200: SiteOut, **READ})
def get_site(request: HttpRequest, org: str, site: str):
    """Show one of the organization's sites."""
    return site_of(request.organization, site)


@router.patch(
    "/organizations/{org}/sites/{site}",
    response={200: SiteOut, **WRITE},
    auth=ORG_ADMIN,
)
def update_organization_site(request: HttpRequest, org: str, site: str, payload: SitePatch):
    """Change a site's kind, name, address or location; send only what changes."""
    found = site_of(request.organization, site)
    changes = payload.model_dump(exclude_unset=True)
    refuse_nulls(changes, "kind", "name", "address", "lat", "lng")
    return update_site(request.auth, request.organization, found, **changes)
