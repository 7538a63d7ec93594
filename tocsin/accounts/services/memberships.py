"""Changes to memberships: roles, unit and site, active or not. Each one audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record

from ..models import Membership, Person, Site, Unit
from ..roles import Role, has_role
from ..signals import Placement, membership_changed
from .people import erase_person


def _other_active_admins(membership: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(has_role(Role.ADMIN), organization_id=membership.organization_id, active=True)
        .exclude(pk=membership.pk)
        .count()
    )


def _check_unit_and_site(membership: Membership, unit: Unit | None, site: Site | None) -> None:
    errors = {}
    if unit is not None and unit.organization_id != membership.organization_id:
        errors["unit"] = _("This unit belongs to another organization.")
    if site is not None and not site.organizations.filter(pk=membership.organization_id).exists():
        errors["site"] = _("This organization is not present at that site.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_membership(
    actor: Person | None,
    membership: Membership,
    *,
    roles: Role,
    unit: Unit | None,
    site: Site | None,
) -> Membership:
    """Set a membership's roles, unit and site; every organization keeps at least one admin."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    roles = Role(int(roles)) | Role.MEMBER
    _check_unit_and_site(membership, unit, site)
    before = Role(membership.roles)
    if (
        membership.active
        and before & Role.ADMIN
        and not roles & Role.ADMIN
        and not _other_active_admins(membership)
    ):
        raise ValidationError(
            {
                "roles": _(
                    "This is the organization's last admin. Make someone else an admin "
                    "before removing this role."
                )
            }
        )
    if roles != before:
        membership.roles = int(roles)
        membership.save(update_fields=["roles"])
        record(
            actor,
            "accounts.membership.roles_changed",
            membership.person,
            organization=membership.organization,
            before=[role.slug for role in Role if before & role],
            after=[role.slug for role in Role if roles & role],
        )
    if (membership.unit_id, membership.site_id) != (
        unit.pk if unit else None,
        site.pk if site else None,
    ):
        placed = Placement.of(membership)
        membership.unit = unit
        membership.site = site
        membership.save(update_fields=["unit", "site"])
        record(
            actor,
            "accounts.membership.placed",
            membership.person,
            organization=membership.organization,
            unit=unit.code if unit else "",
            site=site.code if site else "",
        )
        membership_changed.send(Membership, actor=actor, membership=membership, before=placed)
    return membership


@transaction.atomic
def set_membership_active(actor: Person | None, membership: Membership, active: bool) -> Membership:
    """Deactivate or reactivate a membership; the last active admin cannot be deactivated."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.active == active:
        return membership
    if not active and membership.has(Role.ADMIN) and not _other_active_admins(membership):
        raise ValidationError(
            {
                "active": _(
                    "This is the organization's last admin. Make someone else an admin "
                    "before deactivating this person."
                )
            }
        )
    before = Placement.of(membership)
    membership.active = active
    membership.save(update_fields=["active"])
    action = "accounts.membership.reactivated" if active else "accounts.membership.deactivated"
    record(actor, action, membership.person, organization=membership.organization)
    membership_changed.send(Membership, actor=actor, membership=membership, before=before)
    return membership


@transaction.atomic
def erase_member(actor: Person, membership: Membership) -> None:
    """Erase a member of the organization and all their data, for good.

    Refused when the person also belongs to another organization (that data is not this
    organization's to erase), for the acting admin themselves, and for server operators.
    """

    person = Person.objects.select_for_update().get(pk=membership.person_id)
    if person.pk == actor.pk:
        raise ValidationError({"confirmation": _("You cannot erase yourself.")})
    if person.is_superuser:
        raise ValidationError(
            {"confirmation": _("This person operates the server and cannot be erased here.")}
        )
    if person.memberships.exclude(organization_id=membership.organization_id).exists():
        raise ValidationError(
            {
                "confirmation": _(
                    "This person also belongs to another organization, so only their own "
                    "request can erase them. Deactivate their membership here instead."
                )
            }
        )
    if membership.active and membership.has(Role.ADMIN) and not _other_active_admins(membership):
        raise ValidationError(
            {"confirmation": _("This is the organization's last admin and cannot be erased.")}
        )
    membership_changed.send(
        Membership, actor=actor, membership=membership, before=Placement.of(membership), erased=True
    )
    erase_person(person, actor, organization=membership.organization)
