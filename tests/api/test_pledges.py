# ruff: noqa: F811 (the pledge fixtures are imported, then asked for by name)
"""The pledge operations: organizers create, members sign and withdraw as themselves, and
nobody learns who signed, or how many, before the threshold."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import YEAR, make_person
from tests.factories import fields_named
from tests.pledges.conftest import (  # noqa: F401 (fixtures)
    atu,
    garage,
    operators,
    operators_unit,
    organizer,
    pledge,
)
from tocsin.pledges.models import Pledge


@pytest.fixture
def organizer_api(api_as, organizer):
    return api_as(organizer)


def body(unit, **changes):
    data = {
        "organization": "atu-local-1005",
        "action": "We stay out on January 23",
        "scope": "unit",
        "units": [unit.code],
        "threshold": {"kind": "percent", "value": 60},
        "deadline": (timezone.now() + timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


def test_an_organizer_creates_a_pledge_and_reads_its_state(
    organizer_api, operators_unit, operators
):
    response = organizer_api.post("/pledges", body(operators_unit))
    assert response.status_code == 201, response.content
    created = response.json()
    shown = organizer_api.get(f"/pledges/{created['id']}").json()
    assert shown["state"] == "open"
    assert shown["progress_bucket"] == "under_25"
    assert shown["threshold"] == {"kind": "percent", "value": 60}
    assert shown["deadline"] and shown["signed"] is False


def test_a_deadline_without_an_offset_is_read_in_the_servers_time_zone(
    organizer_api, operators_unit, operators
):
    response = organizer_api.post(
        "/pledges", body(operators_unit, deadline=f"{YEAR}-01-21T23:00:00")
    )

    assert response.status_code == 201, response.content
    zone = timezone.get_current_timezone()
    assert Pledge.objects.get().deadline == datetime(YEAR, 1, 21, 23, 0, tzinfo=zone)


def test_a_bad_pledge_names_its_fields_and_stores_nothing(organizer_api, operators_unit):
    response = organizer_api.post(
        "/pledges",
        body(
            operators_unit,
            threshold={"kind": "percent", "value": 140},
            deadline=(timezone.now() - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert fields_named(response) == {"threshold_value", "deadline"}
    response = organizer_api.post("/pledges", body(operators_unit, units=["nosuchunit"]))
    assert response.status_code == 422 and fields_named(response) == {"units"}
    assert Pledge.objects.count() == 0


def test_an_outsider_cannot_create_one(api_as, outsider, operators_unit):
    response = api_as(outsider).post("/pledges", body(operators_unit))

    assert response.status_code == 404
    assert Pledge.objects.count() == 0


def test_a_member_who_is_not_an_organizer_cannot_create_one(api_as, operators, operators_unit):
    response = api_as(operators[0]).post("/pledges", body(operators_unit))
    assert response.status_code == 404 and Pledge.objects.count() == 0


def test_members_sign_and_withdraw_as_themselves(api_as, pledge, operators):
    ana = api_as(operators[0])
    signed = ana.post(f"/pledges/{pledge.code}/signature")
    assert signed.status_code == 201 and signed.json()["signed"] is True
    assert ana.post(f"/pledges/{pledge.code}/signature").status_code == 422
    assert api_as(operators[1]).get(f"/pledges/{pledge.code}").json()["signed"] is False
    withdrawn = ana.delete(f"/pledges/{pledge.code}/signature")
    assert withdrawn.status_code == 200 and withdrawn.json()["signed"] is False


def test_before_the_threshold_nobody_gets_the_signers(organizer_api, api_as, pledge, operators):
    for person in operators[:7]:
        api_as(person).post(f"/pledges/{pledge.code}/signature")
    response = organizer_api.get(f"/pledges/{pledge.code}/signers")
    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "sealed"
    assert organizer_api.get(f"/pledges/{pledge.code}").json()["progress_bucket"] == "over_75"


def test_once_it_is_on_organizers_get_the_signers(
    organizer_api, api_as, pledge, operators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for person in operators[:8]:
            api_as(person).post(f"/pledges/{pledge.code}/signature")
    shown = organizer_api.get(f"/pledges/{pledge.code}").json()
    assert shown["state"] == "active" and shown["progress_bucket"] == "met"
    signers = organizer_api.get(f"/pledges/{pledge.code}/signers").json()
    assert sorted(s["name"] for s in signers) == sorted(p.display_name for p in operators[:8])
    assert api_as(operators[0]).get(f"/pledges/{pledge.code}/signers").status_code == 422


def test_a_member_it_does_not_ask_and_an_outsider_get_404(api_as, atu, pledge, outsider):
    mechanic = make_person(atu, name="Mo Mechanic")
    for person in (mechanic, outsider):
        client = api_as(person)
        assert client.get(f"/pledges/{pledge.code}").status_code == 404
        assert client.post(f"/pledges/{pledge.code}/signature").status_code == 404
    assert pledge.signatures.count() == 0
