"""Ratings with their history, the unit's numbers (the share at 1-2 against a test's
target, coverage, counts at each level), bad input, audit entries and the scale's words."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.conftest import make_person
from tocsin.accounts.services.people import erase_person
from tocsin.audit.models import AuditEntry
from tocsin.structure.dashboard import dashboard, history
from tocsin.structure.models import Assessment, Assignment, StructureTest
from tocsin.structure.services import ratings as rating_services
from tocsin.structure.services import scale as scale_services
from tocsin.structure.services import structure_tests as test_services

from .conftest import place


def rate_all(organizer, unit, nurses, scores):
    for nurse, score in zip(nurses, scores, strict=False):
        rating_services.rate(organizer, unit, nurse, score)


def test_each_new_rating_is_kept_and_the_latest_one_counts(organizer, unit, nurses):
    rosa = nurses[0]
    rating_services.rate(organizer, unit, rosa, 4)
    rating_services.rate(organizer, unit, rosa, 3)
    rating_services.rate(organizer, unit, rosa, 2)

    assert [a.score for a in history(unit, rosa)] == [2, 3, 4]
    row = next(r for r in dashboard(unit).rows if r.person == rosa)
    assert (row.score, row.label) == (2, "Supporter")
    assert row.rated_at is not None
    assert dashboard(unit).counts == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}


def test_seven_of_ten_at_1_2_meets_a_70_percent_target(organizer, unit, nurses):
    test = test_services.create_test(
        organizer, unit, "70% at 1-2 by Jan 16", 70, 2, date(2026, 1, 16)
    )
    rate_all(organizer, unit, nurses, [1, 1, 2, 2, 2, 2, 3, 4, 5])

    progress = dashboard(unit, today=date(2026, 1, 10)).tests[0]
    assert (progress.count, progress.total, progress.percent) == (6, 10, 60)
    assert (progress.needed, progress.met) == (1, False)

    rating_services.rate(organizer, unit, nurses[6], 2)

    progress = dashboard(unit, today=date(2026, 1, 10)).tests[0]
    assert (progress.test, progress.count, progress.percent, progress.status) == (
        test,
        7,
        70,
        "met",
    )
    assert progress.needed == 0


def test_members_nobody_has_rated_count_against_the_target(organizer, unit, nurses):
    test_services.create_test(organizer, unit, "Majority", 51, 2, date(2026, 1, 16))
    rate_all(organizer, unit, nurses, [1, 2, 2, 2, 2])  # five of ten rated, all at 1-2

    board = dashboard(unit, today=date(2026, 1, 1))
    assert (board.total, board.rated, board.unrated) == (10, 5, 5)
    assert (board.tests[0].percent, board.tests[0].met, board.tests[0].needed) == (50, False, 1)


def test_a_test_is_on_track_behind_or_missed_by_its_date(organizer, unit, nurses):
    test = test_services.create_test(organizer, unit, "70% at 1-2", 70, 2, date(2026, 1, 31))
    StructureTest.objects.filter(pk=test.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2026, 1, 1, 12))
    )
    rate_all(organizer, unit, nurses, [1, 2, 2, 2])  # 40%

    def status(day):
        return dashboard(unit, today=day).tests[0].status

    # Halfway through, 35% is where a straight line to 70% would be: 40% is ahead of it.
    assert status(date(2026, 1, 16)) == "on_track"
    assert status(date(2026, 1, 28)) == "behind"
    assert status(date(2026, 2, 1)) == "missed"


def test_a_test_can_count_only_the_strongest(organizer, unit, nurses):
    test_services.create_test(organizer, unit, "Leaders", 20, 1, date(2026, 3, 1))
    rate_all(organizer, unit, nurses, [1, 2, 2])

    assert dashboard(unit, today=date(2026, 2, 1)).tests[0].count == 1


def test_coverage_counts_members_with_an_assigned_organizer(organizer, steward, unit, nurses):
    rating_services.assign(organizer, unit, nurses[0], organizer)
    rating_services.assign(organizer, unit, nurses[1], steward)
    rating_services.assign(organizer, unit, nurses[2], organizer)

    board = dashboard(unit)
    # Sam the steward is a member of the unit too: eleven members, three covered.
    assert (board.covered, board.total, board.coverage_percent) == (3, 11, 27)


def test_a_member_has_one_organizer_at_a_time(organizer, steward, unit, nurses):
    rating_services.assign(organizer, unit, nurses[0], organizer)
    rating_services.assign(organizer, unit, nurses[0], steward)

    assert Assignment.objects.get(unit=unit, person=nurses[0]).organizer == steward
    rating_services.assign(organizer, unit, nurses[0], None)
    assert not Assignment.objects.exists()


def test_only_the_units_organizers_can_be_assigned(organizer, va_organizer, admin, unit, nurses):
    for somebody in (va_organizer, admin, nurses[1]):
        with pytest.raises(ValidationError) as error:
            rating_services.assign(organizer, unit, nurses[0], somebody)
        assert "organizer" in error.value.message_dict
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, "two", None, "", 2.5])
def test_a_score_outside_1_to_5_is_refused_and_nothing_is_stored(organizer, unit, nurses, score):
    with pytest.raises(ValidationError) as error:
        rating_services.rate(organizer, unit, nurses[0], score)

    assert list(error.value.message_dict) == ["score"]
    assert not Assessment.objects.exists()


def test_only_a_member_of_the_unit_can_be_rated(organizer, unit, other_unit, org, member):
    va_nurse = place(make_person(org, name="Vera VA"), other_unit)
    for person in (member, va_nurse):
        with pytest.raises(ValidationError) as error:
            rating_services.rate(organizer, unit, person, 2)
        assert list(error.value.message_dict) == ["member"]
    assert not Assessment.objects.exists()


def test_a_structure_test_with_bad_fields_names_each_and_stores_nothing(organizer, unit):
    with pytest.raises(ValidationError) as error:
        test_services.create_test(organizer, unit, "  ", 0, 9, "Jan 16")

    assert set(error.value.message_dict) == {"name", "target_percent", "max_score", "by_date"}
    assert not StructureTest.objects.exists()


def test_a_structure_test_can_be_changed(organizer, unit):
    test = test_services.create_test(organizer, unit, "60% by Jan 16", 60, 2, date(2026, 1, 16))

    test_services.update_test(organizer, test, "70% at 1-2 by Jan 16", 70, 2, date(2026, 1, 16))

    test.refresh_from_db()
    assert (test.name, test.target_percent) == ("70% at 1-2 by Jan 16", 70)
    entry = AuditEntry.objects.get(action="structure.test.updated")
    assert entry.detail["fields"] == ["name", "target_percent"]


def test_each_rating_is_audited_with_its_score_and_nothing_typed(organizer, unit, nurses):
    assessment = rating_services.rate(organizer, unit, nurses[0], 1)

    entry = AuditEntry.objects.get(action="structure.assessment.created")
    assert (entry.actor, entry.organization, entry.object_id) == (
        organizer,
        unit.organization,
        assessment.code,
    )
    assert entry.detail == {"unit": unit.code, "member": str(nurses[0].public_id), "score": 1}


def test_the_default_words_are_in_the_organizers_language(org):
    assert scale_services.labels_for(org)[5] == "Opposed"
    with translation.override("es"):
        labels = scale_services.labels_for(org)
    assert labels == {
        1: "Líder: mueve a otros",
        2: "A favor",
        3: "Sin decidir",
        4: "Más bien en contra",
        5: "En contra",
    }


def test_an_organizations_own_words_replace_the_defaults_it_writes(organizer, org):
    scale_services.save_scale(organizer, org, {1: "Leader", 2: "Yes", 5: ""})

    with translation.override("es"):
        labels = scale_services.labels_for(org)
    assert (labels[1], labels[2], labels[5]) == ("Leader", "Yes", "En contra")
    assert AuditEntry.objects.get(action="structure.scale.updated").detail == {"scores": [1, 2]}


def test_words_too_long_for_the_scale_are_refused(organizer, org):
    with pytest.raises(ValidationError) as error:
        scale_services.save_scale(organizer, org, {3: "x" * 41})

    assert list(error.value.message_dict) == ["label_3"]
    assert scale_services.labels_for(org)[3] == "Undecided"


def test_erasing_a_member_erases_their_ratings(organizer, admin, unit, nurses):
    rating_services.rate(organizer, unit, nurses[0], 2)
    rating_services.assign(organizer, unit, nurses[0], organizer)

    erase_person(nurses[0], admin, unit.organization)

    assert not Assessment.objects.exists() and not Assignment.objects.exists()


def test_a_member_who_left_the_unit_drops_out_of_its_numbers(organizer, unit, nurses):
    rating_services.rate(organizer, unit, nurses[0], 1)
    nurses[0].memberships.update(unit=None)

    board = dashboard(unit)
    assert (board.total, board.counts[1]) == (9, 0)


def test_the_newest_rating_is_current(organizer, unit, nurses):
    older = rating_services.rate(organizer, unit, nurses[0], 4)
    rating_services.rate(organizer, unit, nurses[0], 1)
    Assessment.objects.filter(pk=older.pk).update(rated_at=timezone.now() + timedelta(minutes=1))

    row = next(r for r in dashboard(unit).rows if r.person == nurses[0])
    assert row.score == 4
