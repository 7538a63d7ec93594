"""The changes of structure: rate a member, assign their organizer, set a structure test,
name a unit's organizers, write the scale's words.

Each is one transaction with an audit entry that holds codes, public ids and scores, never
free text. Callers have already checked, through access.py, that the actor organizes the
unit; these functions check what the input says.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person, Unit
from tocsin.accounts.roles import Role, has_role
from tocsin.audit.services import record
from tocsin.core.transactions import locking

from .access import is_organizer_of, organizers_of, unit_members
from .models import MAX_LABEL, SCORES, Assessment, Assignment, Scale, StructureTest, UnitOrganizer

MAX_NAME = 120


def labels_for(organization: Organization) -> dict[int, str]:
    """Return the words for 1-5: the organization's own, or the defaults in the active
    language."""
    scale = Scale.objects.filter(organization=organization).first() or Scale()
    return {score: scale.label(score) for score in SCORES}


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


def check_test(name: str, target_percent, max_score, by_date) -> dict:
    """Return a structure test's fields cleaned, or raise ValidationError naming each."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the test a name, for example “70% at 1-2 by Jan 16”.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Keep this under %(max)d characters.") % {"max": MAX_NAME}
    try:
        target = int(target_percent)
    except (TypeError, ValueError):
        target = 0
    if not 1 <= target <= 100:
        errors["target_percent"] = _("Give a target from 1 to 100 percent.")
    try:
        max_score = check_score(max_score, "max_score")
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
    if not isinstance(by_date, date):
        errors["by_date"] = _("Give the date the target is for.")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "target_percent": target, "max_score": max_score, "by_date": by_date}


@transaction.atomic
def create_test(
    actor: Person, unit: Unit, name: str, target_percent, max_score, by_date
) -> StructureTest:
    """Set a unit a structure test: a share of its members at a score or better by a date."""
    fields = check_test(name, target_percent, max_score, by_date)
    test = StructureTest.objects.create(unit=unit, created_by=actor, **fields)
    record(
        actor,
        "structure.test.created",
        test,
        organization=unit.organization,
        unit=unit.code,
        target_percent=test.target_percent,
        max_score=test.max_score,
        by_date=test.by_date.isoformat(),
    )
    return test


@transaction.atomic
def update_test(
    actor: Person, test: StructureTest, name: str, target_percent, max_score, by_date
) -> StructureTest:
    fields = check_test(name, target_percent, max_score, by_date)
    test = locking(StructureTest.objects.select_related("unit__organization")).get(pk=test.pk)
    changed = [key for key, value in fields.items() if getattr(test, key) != value]
    if not changed:
        return test
    for key in changed:
        setattr(test, key, fields[key])
    test.save(update_fields=changed)
    record(
        actor,
        "structure.test.updated",
        test,
        organization=test.unit.organization,
        unit=test.unit.code,
        fields=changed,
    )
    return test


@transaction.atomic
def delete_test(actor: Person, test: StructureTest) -> None:
    unit = test.unit
    record(actor, "structure.test.deleted", test, organization=unit.organization, unit=unit.code)
    test.delete()


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


@transaction.atomic
def save_scale(actor: Person, organization: Organization, labels: dict[int, str]) -> Scale:
    """Write the organization's own words for 1-5; a blank one keeps the default."""
    errors = {}
    cleaned = {}
    for score in SCORES:
        value = (labels.get(score) or "").strip()
        if len(value) > MAX_LABEL:
            errors[f"label_{score}"] = _("Keep this under %(max)d characters.") % {"max": MAX_LABEL}
        cleaned[f"label_{score}"] = value
    if errors:
        raise ValidationError(errors)
    scale, _created = Scale.objects.select_for_update().get_or_create(organization=organization)
    changed = [key for key, value in cleaned.items() if getattr(scale, key) != value]
    if changed:
        for key in changed:
            setattr(scale, key, cleaned[key])
        scale.updated_at = timezone.now()
        scale.save(update_fields=[*changed, "updated_at"])
        record(actor, "structure.scale.updated", organization, scores=[int(k[-1]) for k in changed])
    return scale
