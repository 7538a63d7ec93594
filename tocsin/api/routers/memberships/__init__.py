"""Who belongs to the organization, with which roles, unit and site. Admins only."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from tocsin.accounts.models import Membership, Organization, Site, Unit
from tocsin.accounts.roles import Role, has_role
from tocsin.accounts.services.memberships import set_membership_active, update_membership
from tocsin.api.access import ORG_ADMIN, membership_of
from tocsin.api.routers.common import READ, WRITE, refuse_nulls

from .schemas import ROLES_BY_SLUG, MembershipOut, MembershipPatch, RoleSlug, roles_named

router = Router(tags=["memberships"], auth=ORG_ADMIN)


def unit_named(organization: Organization, code: str | None) -> Unit | None:
    if code is None:
        return None
    unit = organization.units.filter(code=code).first()
    if unit is None:
        raise ValidationError({"unit": _("No unit with code %(code)s here.") % {"code": code}})
    return unit


def site_named(organization: Organization, code: str | None) -> Site | None:
    if code is None:
        return None
    site = organization.sites.filter(code=code).first()
    if site is None:
        raise ValidationError({"site": _("No site with code %(code)s here.") % {"code": code}})
    return site


@router.get("/organizations/{org}/memberships", response={200: list[MembershipOut], **READ})
@paginate(LimitOffsetPagination, max_limit=500)
def list_memberships(
    request: HttpRequest,
    org: str,
    role: RoleSlug | None = None,
    unit: str | None = None,
    site: str | None = None,
    active: bool | None = None,
):
    """List the organization's memberships, optionally by role, unit code, site code or state."""
    organization = ORG_ADMIN.of(request).organization
    memberships = organization.memberships.select_related("person", "unit", "site")
    if role is not None:
        memberships = memberships.filter(has_role(ROLES_BY_SLUG[role]))
    if unit is not None:
        memberships = memberships.filter(unit__code=unit)
    if site is not None:
        memberships = memberships.filter(site__code=site)
    if active is not None:
        memberships = memberships.filter(active=active)
    return memberships.order_by("person__display_name", "pk")


@router.get("/organizations/{org}/memberships/{person}", response={200: MembershipOut, **READ})
def get_membership(request: HttpRequest, org: str, person: uuid.UUID) -> Membership:
    """Show one person's membership in the organization."""
    return membership_of(ORG_ADMIN.of(request).organization, person)


@router.patch("/organizations/{org}/memberships/{person}", response={200: MembershipOut, **WRITE})
def update_organization_membership(
    request: HttpRequest, org: str, person: uuid.UUID, payload: MembershipPatch
) -> Membership:
    """Set roles, unit, site or active; send only what changes. Member is always a role."""
    access = ORG_ADMIN.of(request)
    organization = access.organization
    membership = membership_of(organization, person)
    changes = payload.model_dump(exclude_unset=True)
    refuse_nulls(changes, "roles", "active")
    with transaction.atomic():
        if changes.keys() & {"roles", "unit", "site"}:
            membership = update_membership(
                access.person,
                membership,
                roles=(
                    roles_named(changes["roles"]) if "roles" in changes else Role(membership.roles)
                ),
                unit=unit_named(organization, changes["unit"])
                if "unit" in changes
                else membership.unit,
                site=site_named(organization, changes["site"])
                if "site" in changes
                else membership.site,
            )
        if "active" in changes:
            membership = set_membership_active(access.person, membership, changes["active"])
    return membership_of(organization, person)
