"""Rate a member of the unit (1-5, kept with its history) and assign their organizer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Person, Unit
from tocsin.audit.services import record

from ..access import is_organizer_of, unit_members
from ..models import SCORES, Assessment, Assignment


def check_score(score, name: str = "score") -> int:
    value = 0
    if isinstance(score, int) and not isinstance(score, bool):
        value = score
    elif isinstance(score, str) and score.strip().isdigit():
        value = int(score)
    if value not in SCORES:
        raise ValidationError({name: _("Choose a score from 1 to 5.")})
    return value


def require_member(unit: Unit, person: Person | None, name: str = "member") -> Membership:
    membership = unit_members(unit).filter(person=person).first() if person is not None else None
    if membership is None:
        raise ValidationError({name: _("That person is not a member of this unit.")})
    return membership


@transaction.atomic
def rate(actor: Person, unit: Unit, person: Person, score) -> Assessment:
    """Record a new rating of a member's support; it becomes their current one."""
    score = check_score(score)
    require_member(unit, person)
    assessment = Assessment.objects.create(unit=unit, person=person, score=score, rated_by=actor)
    record(
        actor,
        "structure.assessment.created",
        assessment,
        organization=unit.organization,
        unit=unit.code,
        member=str(person.public_id),
        score=score,
    )
    return assessment


@transaction.atomic
def assign(
    actor: Person, unit: Unit, person: Person, organizer: Person | None
) -> Assignment | None:
    """Name the one organizer who talks with a member, or nobody (`organizer=None`)."""
    require_member(unit, person)
    if organizer is not None and not is_organizer_of(organizer, unit):
        raise ValidationError({"organizer": _("Choose one of this unit's organizers.")})
    current = Assignment.objects.select_for_update().filter(unit=unit, person=person).first()
    if getattr(current, "organizer_id", None) == getattr(organizer, "pk", None):
        return current
    assignment: Assignment | None
    if organizer is None:
        if current is not None:
            current.delete()
        assignment = None
    elif current is None:
        assignment = Assignment.objects.create(
            unit=unit, person=person, organizer=organizer, assigned_by=actor
        )
    else:
        current.organizer, current.assigned_by = organizer, actor
        current.assigned_at = timezone.now()
        current.save(update_fields=["organizer", "assigned_by", "assigned_at"])
        assignment = current
    record(
        actor,
        "structure.assignment.changed",
        unit,
        member=str(person.public_id),
        organizer=str(organizer.public_id) if organizer else "",
    )
    return assignment
