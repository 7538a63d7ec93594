"""Who sees a unit's structure: its organizers, and nobody else.

The organizers of a unit are the people whose active membership in the unit's organization
holds the organizer role and who either belong to the unit themselves (`membership.unit`)
or were added to it as its organizers (a UnitOrganizer row). Everyone else gets 404: the
organization's admins, organizers of other units, the unit's members and outsiders. A
rating of a coworker's support is what an employer would subpoena or a hostile admin would
misuse; see docs/decisions/0012-structure.md.

Every view and API operation fetches units and members through these helpers, which start
from the acting person's membership; every showing of ratings is audited (`read_unit`).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Membership, Person, Unit
from tocsin.accounts.roles import Role, has_role
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid

ORGANIZER = Role.ORGANIZER


def organizer_membership(person, org_slug: str) -> Membership:
    """Return the person's active organizer membership in the organization, or 404."""
    return get_membership_for(person, org_slug, ORGANIZER)


def units_for(membership: Membership) -> QuerySet[Unit]:
    """Return the units of the membership's organization that its person organizes."""
    if not membership.active or not membership.has(ORGANIZER):
        return Unit.objects.none()
    return (
        Unit.objects.filter(organization=membership.organization)
        .filter(Q(pk=membership.unit_id) | Q(structure_organizers__person=membership.person))
        .distinct()
        .order_by("name", "id")
    )


def get_unit_for(membership: Membership, code: str) -> Unit:
    """Return the unit by its code if the membership's person organizes it, or 404."""
    unit = units_for(membership).select_related("organization").filter(code=str(code)).first()
    if unit is None:
        raise Http404
    return unit


def read_unit(membership: Membership, code: str, **detail) -> Unit:
    """Return the unit as get_unit_for does, writing the audit entry of a showing of its
    ratings (`what` says which: the dashboard, a member's history, the CSV)."""
    unit = get_unit_for(membership, code)
    record(membership.person, "structure.unit.read", unit, organization=unit.organization, **detail)
    return unit


def organizers_of(unit: Unit) -> QuerySet[Person]:
    """Return the people who organize the unit, by name."""
    memberships = Membership.objects.filter(
        has_role(ORGANIZER), organization_id=unit.organization_id, active=True
    ).filter(Q(unit=unit) | Q(person__units_organized__unit=unit))
    return (
        Person.objects.filter(memberships__in=memberships).distinct().order_by("display_name", "id")
    )


def is_organizer_of(person: Person, unit: Unit) -> bool:
    return organizers_of(unit).filter(pk=person.pk).exists()


def unit_members(unit: Unit) -> QuerySet[Membership]:
    """Return the unit's current members: active memberships placed in it."""
    return (
        Membership.objects.filter(unit=unit, organization_id=unit.organization_id, active=True)
        .select_related("person")
        .order_by("person__display_name", "person_id")
    )


def member_of_unit(unit: Unit, public_id) -> Membership:
    """Return the current membership in the unit of the person with this public id, or 404."""
    membership = unit_members(unit).filter(person__public_id=as_uuid(str(public_id))).first()
    if membership is None:
        raise Http404
    return membership
