"""Sites where an organization is present. Reading needs membership, changing needs admin."""

from django.http import HttpRequest
from ninja import Router, Status

from tocsin.accounts.models import Site
from tocsin.accounts.services.sites import create_site, update_site
from tocsin.api.access import ORG_ADMIN, ORG_MEMBER, site_of
from tocsin.api.routers.common import READ, WRITE, refuse_nulls

from .schemas import SiteIn, SiteOut, SitePatch

router = Router(tags=["sites"], auth=ORG_MEMBER)


@router.get("/organizations/{org}/sites", response={200: list[SiteOut], **READ})
def list_sites(request: HttpRequest, org: str):
    """List the sites where the organization is present."""
    return ORG_MEMBER.of(request).organization.sites.order_by("name")


@router.post(
    "/organizations/{org}/sites",
    response={201: SiteOut, **WRITE},
    auth=ORG_ADMIN,
)
def create_organization_site(request: HttpRequest, org: str, payload: SiteIn) -> Status:
    """Create a site with the organization present at it; its h3 cell is computed."""
    access = ORG_ADMIN.of(request)
    site = create_site(access.person, access.organization, **payload.model_dump())
    return Status(201, site)


@router.get("/organizations/{org}/sites/{site}", response={200: SiteOut, **READ})
def get_site(request: HttpRequest, org: str, site: str) -> Site:
    """Show one of the organization's sites."""
    return site_of(ORG_MEMBER.of(request).organization, site)


@router.patch(
    "/organizations/{org}/sites/{site}",
    response={200: SiteOut, **WRITE},
    auth=ORG_ADMIN,
)
def update_organization_site(request: HttpRequest, org: str, site: str, payload: SitePatch) -> Site:
    """Change a site's kind, name, address or location; send only what changes."""
    access = ORG_ADMIN.of(request)
    found = site_of(access.organization, site)
    changes = payload.model_dump(exclude_unset=True)
    refuse_nulls(changes, "kind", "name", "address", "lat", "lng")
    return update_site(access.person, access.organization, found, **changes)
