"""Bargaining units. Reading needs membership, changing needs admin."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.models import Organization, Site, Unit
from tocsin.accounts.services.units import create_unit, delete_unit, update_unit
from tocsin.api.access import ORG_ADMIN, ORG_MEMBER, unit_of
from tocsin.api.routers.common import READ, WRITE, refuse_nulls

from .schemas import UnitIn, UnitOut, UnitPatch

router = Router(tags=["units"], auth=ORG_MEMBER)


def sites_named(organization: Organization, codes: list[str]) -> list[Site]:
    """Return the organization's sites with these codes, refusing any unknown code."""
    sites = {site.code: site for site in organization.sites.filter(code__in=codes)}
    unknown = [code for code in codes if code not in sites]
    if unknown:
        raise ValidationError(
            {"sites": _("No site with code %(code)s here.") % {"code": unknown[0]}}
        )
    return list(sites.values())


@router.get("/organizations/{org}/units", response={200: list[UnitOut], **READ})
def list_units(request: HttpRequest, org: str):
    """List the organization's bargaining units."""
    organization = ORG_MEMBER.of(request).organization
    return organization.units.prefetch_related("sites").order_by("name")


@router.post(
    "/organizations/{org}/units",
    response={201: UnitOut, **WRITE},
    auth=ORG_ADMIN,
)
def create_organization_unit(request: HttpRequest, org: str, payload: UnitIn) -> Status:
    """Create a bargaining unit at some of the organization's sites."""
    access = ORG_ADMIN.of(request)
    sites = sites_named(access.organization, payload.sites)
    return Status(201, create_unit(access.person, access.organization, payload.name, sites))


@router.get("/organizations/{org}/units/{unit}", response={200: UnitOut, **READ})
def get_unit(request: HttpRequest, org: str, unit: str) -> Unit:
    """Show one bargaining unit."""
    return unit_of(ORG_MEMBER.of(request).organization, unit)


@router.patch(
    "/organizations/{org}/units/{unit}",
    response={200: UnitOut, **WRITE},
    auth=ORG_ADMIN,
)
def update_organization_unit(request: HttpRequest, org: str, unit: str, payload: UnitPatch) -> Unit:
    """Rename a unit or set its sites; send only what changes."""
    access = ORG_ADMIN.of(request)
    found = unit_of(access.organization, unit)
    changes = payload.model_dump(exclude_unset=True)
    refuse_nulls(changes, "name", "sites")
    sites = (
        sites_named(access.organization, changes["sites"])
        if "sites" in changes
        else list(found.sites.all())
    )
    return update_unit(access.person, found, changes.get("name", found.name), sites)


@router.delete(
    "/organizations/{org}/units/{unit}",
    response={204: None, **READ},
    auth=ORG_ADMIN,
)
def delete_organization_unit(request: HttpRequest, org: str, unit: str) -> Status:
    """Delete a unit; its members stay in the organization without a unit."""
    access = ORG_ADMIN.of(request)
    delete_unit(access.person, unit_of(access.organization, unit))
    return Status(204, None)
