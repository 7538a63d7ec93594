"""A unit's structure tests: the share of members at or above a score, by a date; create,
change and delete them.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person, Unit
from tocsin.audit.services import record
from tocsin.core.transactions import locking

from ..models import StructureTest
from .ratings import check_score

MAX_NAME = 120


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
