"""Structure's API: a unit's ratings (list with history, a new rating) and its dashboard
numbers, for the unit's organizers only; everyone else gets 404."""

from datetime import date

import pytest

from tests.conftest import make_person
from tests.factories import fields_named
from tests.structure.conftest import NURSES, place
from tocsin.accounts.models import Unit
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.structure.models import Assessment, UnitOrganizer
from tocsin.structure.services import ratings as rating_services
from tocsin.structure.services import structure_tests as test_services


@pytest.fixture
def unit(org):
    return Unit.objects.create(organization=org, name="HCMC registered nurses")


@pytest.fixture
def organizer(org, unit):
    person = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga")
    UnitOrganizer.objects.create(unit=unit, person=person)
    return person


@pytest.fixture
def nurses(org, unit):
    return [place(make_person(org, name=name), unit) for name in NURSES]


def path(org, unit, what="assessments"):
    return f"/organizations/{org.slug}/units/{unit.code}/{what}"


def test_an_organizer_rates_members_and_reads_their_history(api_as, organizer, org, unit, nurses):
    api = api_as(organizer)
    rosa = str(nurses[0].public_id)

    first = api.post(path(org, unit), {"member": rosa, "score": 3})
    second = api.post(path(org, unit), {"member": rosa, "score": 2})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["label"] == "Supporter" and second.json()["member"] == rosa
    assert second.json()["rated_by"] == str(organizer.public_id)
    listed = api.get(path(org, unit), member=rosa).json()
    assert [a["score"] for a in listed] == [2, 3]
    assert AuditEntry.objects.filter(action="structure.unit.read", detail__what="api").count() == 1


def test_the_dashboard_numbers(api_as, organizer, org, unit, nurses):
    test_services.create_test(organizer, unit, "70% at 1-2 by Jan 16", 70, 2, date(2099, 1, 16))
    for nurse, score in zip(nurses, [1, 1, 2, 2, 2, 2, 2, 3, 5], strict=False):
        rating_services.rate(organizer, unit, nurse, score)
    rating_services.assign(organizer, unit, nurses[0], organizer)

    body = api_as(organizer).get(path(org, unit, "structure")).json()

    assert (body["members"], body["rated"]) == (10, 9)
    assert [level["count"] for level in body["levels"]] == [2, 5, 1, 0, 1]
    assert body["coverage"] == {"covered": 1, "total": 10, "percent": 10}
    test = body["tests"][0]
    assert (test["count"], test["percent"], test["needed"], test["status"]) == (7, 70, 0, "met")
    assert AuditEntry.objects.filter(action="structure.unit.read").count() == 1


@pytest.mark.parametrize("score", [0, 6, "2", None])
def test_a_bad_score_is_named(api_as, organizer, org, unit, nurses, score):
    response = api_as(organizer).post(
        path(org, unit), {"member": str(nurses[0].public_id), "score": score}
    )

    assert response.status_code == 422
    assert "score" in fields_named(response)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who", ["not-an-id", "member"])
def test_someone_outside_the_unit_is_named_as_the_member(
    api_as, organizer, org, unit, who, request
):
    value = str(request.getfixturevalue("member").public_id) if who == "member" else who

    response = api_as(organizer).post(path(org, unit), {"member": value, "score": 2})

    assert response.status_code == 422
    assert fields_named(response) == {"member"}
    assert not Assessment.objects.exists()


@pytest.fixture
def refused(org, nurses, admin, outsider):
    va = Unit.objects.create(organization=org, name="Minneapolis VA registered nurses")
    va_organizer = make_person(org, Role.ORGANIZER, email="vic@mna.test", name="Vic")
    UnitOrganizer.objects.create(unit=va, person=va_organizer)
    return [admin, va_organizer, nurses[1], outsider]


def test_everyone_but_the_units_organizers_gets_404(api_as, organizer, org, unit, nurses, refused):
    rating_services.rate(organizer, unit, nurses[0], 1)
    for person in refused:
        api = api_as(person)
        for response in (
            api.get(path(org, unit)),
            api.get(path(org, unit, "structure")),
            api.post(path(org, unit), {"member": str(nurses[0].public_id), "score": 5}),
            api.post(path(org, unit), {"nonsense": True}),
        ):
            assert response.status_code == 404, (person, response.content)
            assert response.json() == {"detail": "Not found."}
    assert Assessment.objects.count() == 1
    assert not AuditEntry.objects.filter(action="structure.unit.read").exists()
