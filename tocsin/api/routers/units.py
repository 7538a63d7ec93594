"""Bargaining units. Reading needs membership, changing needs admin."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.models import Organization, Site
from tocsin.accounts.services.units import create_unit, delete_unit, update_unit

from ..access import unit_of
from ..auth import ORG_ADMIN, ORG_MEMBER
from ..schemas import UnitIn, UnitOut, UnitPatch
from .common import READ, WRITE, refuse_nulls

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
    return request.organization.units.prefetch_related("sites").order_by("name")


@router.post(
    "/organizations/{org}/units",
    response={201: UnitOut, **WRITE},
    auth=ORG_ADMIN,
)
def create_organization_unit(request: HttpRequest, org: str, payload: UnitIn):
    """Create a bargaining unit at some of the organization's sites."""
    sites = sites_named(request.organization, payload.sites)
    return Status(201, create_unit(request.auth, request.organization, payload.name, sites))


@router.get("/organizations/{org}/units/{unit}", response={200: UnitOut, **READ})
def get_unit(request: HttpRequest, org: str, unit: str):
    """Show one bargaining unit."""
    return unit_of(request.organization, unit)


@router.patch(
    "/organizations/{org}/units/{unit}",
    response={200: UnitOut, **WRITE},
    auth=ORG_ADMIN,
)
def update_organization_unit(request: HttpRequest, org: str, unit: str, payload: UnitPatch):
    """Rename a unit or set its sites; send only what changes."""
    found = unit_of(request.organization, unit)
    changes = payload.model_dump(exclude_unset=True)
    refuse_nulls(changes, "name", "sites")
    sites = (
        sites_named(request.organization, changes["sites"])
        if "sites" in changes
        else list(found.sites.all())
    )
    return update_unit(request.auth, found, changes.get("name", found.name), sites)


@router.delete(
    "/organizations/{org}/units/{unit}",
    response={204: None, **READ},
    auth=ORG_ADMIN,
)
def delete_organization_unit(request: HttpRequest, org: str, unit: str):
    """Delete a unit; its members stay in the organization without a unit."""
    delete_unit(request.auth, unit_of(request.organization, unit))
    return Status(204, None)
