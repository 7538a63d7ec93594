"""The demo world's part in tocsin.structure, loaded by tocsin.demo.services.load_demo.

ATU Local 1005's bus operators: the demo organizer (organizer@demo.tocsin.test) and one
operator who organizes from inside the unit; most operators rated, some of them twice
(their history), three in four with an organizer; and the unit's test, 70% at 1-2 by the
next Jan 16. The unit stands at 60%: on track, not there yet.
"""

from datetime import date, timedelta

from django.utils import timezone

from tocsin.accounts.models import Organization, Site, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import find_person_by_login
from tocsin.structure.access import unit_members
from tocsin.structure.models import Assessment, Assignment, StructureTest, UnitOrganizer

from . import world


def next_day(month: int, day: int, today: date) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def score_for(index: int) -> int | None:
    """Return the demo score of the index-th operator, following world.STRUCTURE_SCORES."""
    slot = index % sum(world.STRUCTURE_SCORES)
    for score, share in enumerate(world.STRUCTURE_SCORES, start=1):
        if slot < share:
            return score if score <= 5 else None
        slot -= share
    return None


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create what the demo needs here, once (running it again changes nothing)."""
    unit = units.get(world.STRUCTURE_UNIT)
    organizer = find_person_by_login(f"organizer@{world.EMAIL_DOMAIN}")
    if unit is None or organizer is None:
        return
    UnitOrganizer.objects.get_or_create(unit=unit, person=organizer)
    now = timezone.now()
    StructureTest.objects.get_or_create(
        unit=unit,
        name=world.STRUCTURE_TEST_NAME,
        defaults={
            "target_percent": world.STRUCTURE_TEST_TARGET,
            "max_score": 2,
            "by_date": next_day(*world.STRUCTURE_TEST_DAY, timezone.localdate()),
            "created_by": organizer,
            "created_at": now - timedelta(days=21),
        },
    )
    members = list(unit_members(unit).order_by("pk"))
    if not members or Assessment.objects.filter(unit=unit).exists():
        return
    # One operator organizes the unit from inside it.
    steward = members[0]
    steward.roles = int(Role(steward.roles) | Role.ORGANIZER)
    steward.save(update_fields=["roles"])
    raters = (organizer, steward.person)
    ratings, assignments = [], []
    for index, membership in enumerate(members):
        rater = raters[index % 2]
        score = score_for(index)
        if score is not None:
            if index % 3 == 0:  # talked to twice: the first time, a step further away
                ratings.append(
                    Assessment(
                        unit=unit,
                        person=membership.person,
                        score=min(score + 1, 5),
                        rated_by=rater,
                        rated_at=now - timedelta(days=24 - index % 7),
                    )
                )
            ratings.append(
                Assessment(
                    unit=unit,
                    person=membership.person,
                    score=score,
                    rated_by=rater,
                    rated_at=now - timedelta(days=index % 9, hours=index),
                )
            )
        if index % 4 != 3:
            assignments.append(
                Assignment(unit=unit, person=membership.person, organizer=rater, assigned_by=rater)
            )
    Assessment.objects.bulk_create(ratings)
    Assignment.objects.bulk_create(assignments, ignore_conflicts=True)
