"""The organizers' screens: a unit's dashboard with its 1-5 buttons, a member's history
and organizer, structure tests, the unit's organizers, the scale's words and the CSV."""

from datetime import date

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.models import Unit
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.structure.models import Assessment, Assignment, StructureTest, UnitOrganizer
from tocsin.structure.services import ratings as rating_services
from tocsin.structure.services import structure_tests as test_services


def base(org, unit=None):
    url = f"/staff/o/{org.slug}/structure/"
    return url + (f"units/{unit.code}/" if unit is not None else "")


def member_url(org, unit, person, action=""):
    return base(org, unit) + f"members/{person.public_id}/" + (f"{action}/" if action else "")


def test_an_organizer_sees_the_units_they_organize(organizer_client, org, unit, other_unit):
    response = organizer_client.get(base(org))

    page = response.content.decode()
    assert response.status_code == 200
    assert unit.name in page
    # Nobody organizes the VA nurses yet: Olga may take them on.
    assert response.context["unorganized"] == [other_unit]
    assert 'href="/staff/o/mna/structure/"' in page  # the Structure link in the menu


def test_a_unit_nobody_organizes_can_be_taken_on(organizer_client, organizer, org, other_unit):
    response = organizer_client.post(base(org, other_unit) + "take-on/")

    assert response.status_code == 302
    assert UnitOrganizer.objects.filter(unit=other_unit, person=organizer).exists()


def test_a_unit_with_organizers_cannot_be_taken_on(client, org, unit, organizer):
    newcomer = make_person(org, Role.ORGANIZER, email="new@mna.test", name="Nadia New")

    response = verified_client(client, newcomer).post(base(org, unit) + "take-on/")

    assert response.status_code == 404
    assert not UnitOrganizer.objects.filter(person=newcomer).exists()


def test_rating_from_the_dashboard_moves_its_numbers(
    organizer_client, organizer, org, unit, nurses
):
    test_services.create_test(organizer, unit, "70% at 1-2 by Jan 16", 70, 2, date(2026, 1, 16))
    StructureTest.objects.update(by_date=date(2099, 1, 16))
    rosa = nurses[0]

    response = organizer_client.post(member_url(org, unit, rosa, "rate"), {"score": "2"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#member-{rosa.public_id}")
    assert Assessment.objects.get().score == 2
    page = organizer_client.get(response["Location"])
    board = page.context["board"]
    assert (board.counts[2], board.tests[0].count, board.tests[0].percent) == (1, 1, 10)
    assert "Rosa Rivera: Supporter." in page.content.decode()


def test_a_bad_score_is_named_and_nothing_is_stored(organizer_client, org, unit, nurses):
    response = organizer_client.post(member_url(org, unit, nurses[0], "rate"), {"score": "7"})

    assert response.status_code == 400
    assert "score" in response.context["rate_form"].errors
    assert "Score" in response.content.decode()
    assert not Assessment.objects.exists()


def test_each_showing_of_the_dashboard_is_audited(organizer_client, organizer, org, unit, nurses):
    organizer_client.get(base(org, unit))
    organizer_client.get(base(org, unit))

    reads = AuditEntry.objects.filter(action="structure.unit.read", actor=organizer)
    assert reads.count() == 2
    assert {(e.object_id, e.detail["what"]) for e in reads} == {(unit.code, "dashboard")}


def test_a_members_page_shows_their_history_and_is_audited(
    organizer_client, organizer, org, unit, nurses
):
    rosa = nurses[0]
    for score in (4, 3, 2):
        rating_services.rate(organizer, unit, rosa, score)

    response = organizer_client.get(member_url(org, unit, rosa))

    assert [a.score for a in response.context["history"]] == [2, 3, 4]
    assert "Now: 2 · Supporter" in response.content.decode()
    entry = AuditEntry.objects.get(action="structure.unit.read")
    assert entry.detail == {"what": "member", "member": str(rosa.public_id)}


def test_an_organizer_is_assigned_from_the_members_page(
    organizer_client, organizer, steward, org, unit, nurses
):
    response = organizer_client.post(
        member_url(org, unit, nurses[0], "assign"), {"organizer": str(steward.public_id)}
    )

    assert response.status_code == 302
    assert Assignment.objects.get().organizer == steward
    entry = AuditEntry.objects.get(action="structure.assignment.changed")
    assert entry.detail == {"member": str(nurses[0].public_id), "organizer": str(steward.public_id)}


def test_assigning_someone_not_on_the_list_is_named(organizer_client, org, unit, nurses, admin):
    response = organizer_client.post(
        member_url(org, unit, nurses[0], "assign"), {"organizer": str(admin.public_id)}
    )

    assert response.status_code == 400
    assert "organizer" in response.context["assign_form"].errors
    assert not Assignment.objects.exists()


def test_a_structure_test_is_set_and_changed(organizer_client, org, unit):
    response = organizer_client.post(
        base(org, unit) + "tests/new/",
        {
            "name": "70% at 1-2 by Jan 16",
            "target_percent": "70",
            "max_score": "2",
            "by_date": "2026-01-16",
        },
    )
    assert response.status_code == 302
    test = StructureTest.objects.get()
    assert (test.unit, test.target_percent, test.max_score, str(test.by_date)) == (
        unit,
        70,
        2,
        "2026-01-16",
    )

    edit = base(org, unit) + f"tests/{test.code}/"
    assert organizer_client.get(edit).context["form"].initial["target_percent"] == 70
    organizer_client.post(
        edit, {"name": test.name, "target_percent": "75", "max_score": "2", "by_date": "2026-01-16"}
    )
    test.refresh_from_db()
    assert test.target_percent == 75

    organizer_client.post(edit + "delete/")
    assert not StructureTest.objects.exists()


def test_a_structure_test_with_bad_fields_names_each(organizer_client, org, unit):
    response = organizer_client.post(
        base(org, unit) + "tests/new/",
        {"name": "", "target_percent": "170", "max_score": "9", "by_date": "16 January"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "name",
        "target_percent",
        "max_score",
        "by_date",
    }
    assert not StructureTest.objects.exists()


def test_another_organizer_is_added_to_the_unit_and_removed(
    organizer_client, org, unit, va_organizer
):
    response = organizer_client.post(
        base(org, unit) + "organizers/", {"organizer": str(va_organizer.public_id)}
    )
    assert response.status_code == 302
    assert UnitOrganizer.objects.filter(unit=unit, person=va_organizer).exists()

    organizer_client.post(base(org, unit) + f"organizers/{va_organizer.public_id}/remove/")

    assert not UnitOrganizer.objects.filter(unit=unit, person=va_organizer).exists()


def test_only_an_organizer_of_the_organization_can_be_added(organizer_client, org, unit, admin):
    response = organizer_client.post(
        base(org, unit) + "organizers/", {"organizer": str(admin.public_id)}
    )

    assert response.status_code == 400
    assert "organizer" in response.context["organizer_form"].errors
    assert not UnitOrganizer.objects.filter(person=admin).exists()


def test_the_scale_takes_the_organizations_own_words(organizer_client, org, unit, nurses):
    response = organizer_client.post(
        base(org) + "scale/", {"label_1": "Leader", "label_2": "With us", "label_3": ""}
    )
    assert response.status_code == 302

    organizer_client.post(member_url(org, unit, nurses[0], "rate"), {"score": "2"})
    page = organizer_client.get(base(org, unit)).content.decode()
    assert "2 · With us" in page and "Undecided" in page


def test_words_too_long_for_the_scale_are_named(organizer_client, org):
    response = organizer_client.post(base(org) + "scale/", {"label_4": "x" * 41})

    assert response.status_code == 400
    assert "label_4" in response.context["form"].errors


def test_the_csv_lists_members_and_is_audited(organizer_client, organizer, org, unit, nurses):
    rating_services.rate(organizer, unit, nurses[0], 1)
    rating_services.assign(organizer, unit, nurses[0], organizer)

    response = organizer_client.get(base(org, unit) + "structure.csv")

    lines = response.content.decode().splitlines()
    assert lines[0] == "Member,Score,Rating,Last rated,Organizer"
    assert len(lines) == 11
    assert any(line.startswith("Rosa Rivera,1,Leader: moves others,") for line in lines)
    assert "Amina Farah,,,," in lines  # nobody has rated her: she is still listed
    assert AuditEntry.objects.get(action="structure.unit.read").detail == {"what": "csv"}


def test_the_dashboard_speaks_spanish(client, org, unit, nurses):
    olga = make_person(org, Role.ORGANIZER, email="o@mna.test", name="Olga", language="es")
    UnitOrganizer.objects.create(unit=unit, person=olga)
    rating_services.rate(olga, unit, nurses[0], 5)

    page = verified_client(client, olga).get(base(org, unit)).content.decode()

    assert "En contra" in page and "Cobertura" in page


@pytest.fixture
def people(org, unit, nurses, admin, va_organizer, outsider):
    """Everyone who must not see the unit: its organization's admin, an organizer of
    another unit, a member of the unit, an outsider; and an admin who is also an organizer
    of the organization but not of this unit."""
    both = make_person(org, Role.ADMIN | Role.ORGANIZER, email="both@mna.test", name="Bo Both")
    Unit.objects.create(organization=org, name="Spare")
    return {
        "admin": admin,
        "organizer of another unit": va_organizer,
        "member of the unit": nurses[1],
        "outsider": outsider,
        "admin and organizer elsewhere": both,
    }


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "organizer of another unit",
        "member of the unit",
        "outsider",
        "admin and organizer elsewhere",
    ],
)
def test_nobody_but_the_units_organizers_sees_any_of_it(
    client, organizer, org, unit, nurses, people, who
):
    test = test_services.create_test(organizer, unit, "70%", 70, 2, date(2026, 1, 16))
    rating_services.rate(organizer, unit, nurses[0], 1)
    signed_in = verified_client(client, people[who])
    rosa = nurses[0]
    gets = [
        base(org, unit),
        base(org, unit) + "structure.csv",
        base(org, unit) + "tests/new/",
        base(org, unit) + f"tests/{test.code}/",
        member_url(org, unit, rosa),
    ]
    posts = [
        (member_url(org, unit, rosa, "rate"), {"score": "5"}),
        (member_url(org, unit, rosa, "assign"), {"organizer": str(people[who].public_id)}),
        (base(org, unit) + "organizers/", {"organizer": str(people[who].public_id)}),
        (base(org, unit) + f"tests/{test.code}/delete/", {}),
        (base(org, unit) + "take-on/", {}),
    ]

    for url in gets:
        assert signed_in.get(url).status_code == 404, url
    for url, data in posts:
        assert signed_in.post(url, data).status_code == 404, url
    assert Assessment.objects.count() == 1 and StructureTest.objects.count() == 1
    assert not AuditEntry.objects.filter(action="structure.unit.read").exists()
    listing = signed_in.get(base(org))
    assert listing.status_code == 404 or unit.name not in listing.content.decode()


def test_the_units_page_charts_each_units_ratings_and_audits_the_showing(
    organizer_client, organizer, org, unit, nurses
):
    rating_services.rate(organizer, unit, nurses[0], 1)
    rating_services.rate(organizer, unit, nurses[1], 2)
    organizer.language = "es"
    organizer.save(update_fields=["language"])

    page = organizer_client.get(base(org)).content.decode()

    assert (
        f'data-category="{unit.name}" data-series="1 · Líder: mueve a otros" data-value="1"' in page
    )
    assert f'data-category="{unit.name}" data-series="2 · A favor" data-value="1"' in page
    assert "Estructura por unidad" in page
    reads = AuditEntry.objects.filter(action="structure.unit.read", actor=organizer)
    assert {(e.object_id, e.detail["what"]) for e in reads} == {(unit.code, "summary")}


def test_the_dashboard_shows_only_the_members_at_the_score_asked(
    organizer_client, organizer, org, unit, nurses
):
    rating_services.rate(organizer, unit, nurses[0], 3)

    page = organizer_client.get(base(org, unit) + "?score=3").content.decode()
    hidden = organizer_client.get(base(org, unit) + "?score=none").content.decode()

    row = f'id="member-{nurses[0].public_id}" data-testid="member-row" data-score="3"'
    assert row + ">" in page
    assert row + " hidden>" in hidden
    assert organizer_client.get(base(org, unit) + "?score=9").status_code == 200
