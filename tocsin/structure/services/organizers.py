"""Name a unit's organizers: who may be added (the organization's organizers), add one,
remove one (never the last).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Person, Unit
from tocsin.accounts.roles import Role, has_role
from tocsin.audit.services import record

from ..access import is_organizer_of, organizers_of
from ..models import Assignment, UnitOrganizer


def organization_organizers(organization_id: int):
    """Return the people who hold the organizer role in the organization."""
    return Person.objects.filter(
        memberships__in=Membership.objects.filter(
            has_role(Role.ORGANIZER), organization_id=organization_id, active=True
        )
    )


def organizers_to_add(unit: Unit):
    """Return the organization's organizers who do not organize the unit yet."""
    return (
        organization_organizers(unit.organization_id)
        .exclude(pk__in=organizers_of(unit).values("pk"))
        .order_by("display_name", "id")
    )


@transaction.atomic
def add_organizer(actor: Person, unit: Unit, person: Person | None) -> UnitOrganizer:
    """Make an organizer of the organization one of the unit's organizers: they then see
    its ratings."""
    if (
        person is None
        or not organization_organizers(unit.organization_id).filter(pk=person.pk).exists()
    ):
        raise ValidationError({"organizer": _("Choose an organizer of this organization.")})
    if is_organizer_of(person, unit):
        raise ValidationError({"organizer": _("They already organize this unit.")})
    added = UnitOrganizer.objects.create(unit=unit, person=person, added_by=actor)
    record(actor, "structure.organizer.added", unit, organizer=str(person.public_id))
    return added


@transaction.atomic
def remove_organizer(actor: Person, unit: Unit, person: Person) -> None:
    """Stop someone organizing the unit; the members assigned to them have nobody then.

    An organizer who belongs to the unit stays its organizer while they belong to it."""
    removed, _rows = UnitOrganizer.objects.filter(unit=unit, person=person).delete()
    if not removed:
        raise ValidationError({"organizer": _("They were not added as this unit's organizer.")})
    if not is_organizer_of(person, unit):
        Assignment.objects.filter(unit=unit, organizer=person).delete()
    record(actor, "structure.organizer.removed", unit, organizer=str(person.public_id))
