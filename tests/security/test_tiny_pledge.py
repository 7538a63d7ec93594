# ruff: noqa: F811 (the pledge fixtures are imported, then asked for by name)
"""A pledge over a tiny group unseals a person, not a group; the floors refuse one.

An organizer (or an admin playing one) who wants to know whether Ana signed asks her and
one colleague, or asks for one signature: when the pledge goes live, or its bucket moves,
it names her. So a pledge needs at least 5 signatures to go live and at least 10 members in
every group it asks (each unit of an "each of them" pledge), checked on the form, in the
API, and again on the roll when it is sent. Settings may raise the floors, never lower them.
"""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person
from tests.factories import Api, fields_named, token_for
from tests.pledges.conftest import (  # noqa: F401 (fixtures)
    atu,
    form,
    garage,
    operators,
    operators_unit,
    organizer,
    organizer_client,
    pledge_input,
)
from tocsin.accounts.models import Membership, Unit
from tocsin.delivery.models import Alert
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing


@pytest.fixture
def organizer_api(organizer):
    return Api(token_for(organizer))


@pytest.fixture
def pair(atu, operators):
    """Ana and Ben alone in a unit of their own."""
    unit = Unit.objects.create(organization=atu, name="Night dispatch")
    Membership.objects.filter(person__in=operators[:2]).update(unit=unit)
    return unit


def body(unit, **changes):
    data = {
        "organization": "atu-local-1005",
        "action": "We stay out on January 23",
        "scope": "unit",
        "units": [unit.code] if unit else [],
        "threshold": {"kind": "percent", "value": 60},
        "deadline": (timezone.now() + timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("value", [1, 2, 4])
def test_a_count_threshold_below_five_is_refused_in_the_api(
    organizer_api, operators_unit, operators, value
):
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "count", "value": value})
    )
    assert response.status_code == 422
    assert fields_named(response) == {"threshold_value"}
    assert "at least 5 signatures" in response.content.decode()
    assert Pledge.objects.count() == 0


def test_a_count_of_five_is_the_smallest_accepted(organizer_api, operators_unit, operators):
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "count", "value": 5})
    )
    assert response.status_code == 201, response.content


def test_all_of_two_people_is_refused(organizer_api, pair):
    response = organizer_api.post(
        "/pledges", body(pair, threshold={"kind": "percent", "value": 100})
    )
    assert response.status_code == 422
    assert fields_named(response) == {"units"}
    assert "Night dispatch has 2 members" in response.content.decode()
    assert Pledge.objects.count() == 0


def test_a_percentage_that_comes_to_fewer_than_five_signatures_is_refused(
    organizer_api, operators_unit, operators
):
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "percent", "value": 30})
    )  # 30% of 12 is 4
    assert response.status_code == 422
    assert fields_named(response) == {"threshold_value"}
    assert "is 4 signatures" in response.content.decode()


def test_a_smallest_shown_group_below_ten_is_refused(organizer_api, operators_unit, operators):
    response = organizer_api.post("/pledges", body(operators_unit, min_group_size=2))
    assert response.status_code == 422 and fields_named(response) == {"min_group_size"}
    assert Pledge.objects.count() == 0


def test_each_unit_of_an_each_of_them_pledge_is_a_group(
    organizer_api, atu, operators_unit, operators, pair
):
    """Ten operators and the pair: the operators are enough, the pair is not."""
    response = organizer_api.post(
        "/pledges",
        body(operators_unit, scope="units_each", units=[operators_unit.code, pair.code]),
    )
    assert response.status_code == 422 and fields_named(response) == {"units"}
    assert "Night dispatch has 2 members" in response.content.decode()


def test_the_form_says_the_floors_and_refuses_below_them(
    organizer_client, atu, operators_unit, operators, pair
):
    url = reverse("pledges:pledge_new", kwargs={"org": atu.slug})
    page = organizer_client.get(url).content.decode()
    assert "at least 5 signatures" in page and "at least 10" in page

    response = organizer_client.post(
        url, form(pair, threshold_kind="count", threshold_value="1", min_group_size="2")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"threshold_value", "min_group_size"}
    response = organizer_client.post(url, form(pair, threshold_value="100"))
    assert response.context["form"].errors["units"] == [
        "Night dispatch has 2 members. A pledge asks at least 10 in each group, so that "
        "nobody who signs stands out."
    ]
    assert Pledge.objects.count() == 0


def test_the_form_says_the_floors_in_spanish(organizer_client, atu, operators):
    organizer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = organizer_client.get(reverse("pledges:pledge_new", kwargs={"org": atu.slug}))
    assert "al menos 5 firmas" in page.content.decode()


def test_a_unit_emptied_before_the_send_is_refused_at_the_send_and_nothing_goes_out(
    organizer_client, organizer, atu, operators_unit, operators, sent
):
    """Created for twelve, the unit is down to eight when it is sent: the roll would be
    too small, so nothing is sent, no roll is taken, and the page says why."""
    pledge = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    elsewhere = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    Membership.objects.filter(person__in=operators[8:]).update(unit=elsewhere)

    with sent():
        response = organizer_client.post(
            reverse("pledges:pledge_send", kwargs={"org": atu.slug, "pledge": pledge.code}),
            {"confirm": "yes"},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="send-errors"' in page
    assert "Metro Transit bus operators has 8 members" in page
    pledge.refresh_from_db()
    assert pledge.invited_at is None and not pledge.roll_taken and not pledge.roll.exists()
    assert not Alert.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 (nobody may sign an unsent pledge)
        signing.sign(operators[0], pledge)


def test_a_percentage_that_falls_below_five_signatures_on_the_roll_is_refused_at_the_send(
    organizer, atu, operators_unit, operators
):
    """40% of twelve is five; two operators move away before the send, and 40% of ten
    would be four: the send is refused, naming the threshold."""
    from django.core.exceptions import ValidationError

    pledge = pledge_services.create_pledge(
        organizer, atu, pledge_input(operators_unit, threshold_value=40)
    )
    Membership.objects.filter(person__in=operators[10:]).update(active=False)
    with pytest.raises(ValidationError) as refused:
        pledge_services.send_pledge(organizer, pledge)
    assert set(refused.value.message_dict) == {"threshold_value"}
    assert not Pledge.objects.get(pk=pledge.pk).roll_taken


def test_settings_raise_the_floors(settings, organizer_api, operators_unit, operators):
    settings.TOCSIN_PLEDGE_MIN_SIGNATURES = 8
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "count", "value": 7})
    )
    assert response.status_code == 422 and fields_named(response) == {"threshold_value"}
    settings.TOCSIN_PLEDGE_MIN_GROUP = 13
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "count", "value": 8})
    )
    assert response.status_code == 422 and fields_named(response) == {"units"}
    assert "at least 13 in each group" in response.content.decode()


def test_settings_cannot_lower_the_floors(settings, organizer_api, operators_unit, operators):
    settings.TOCSIN_PLEDGE_MIN_SIGNATURES = 1
    settings.TOCSIN_PLEDGE_MIN_GROUP = 2
    response = organizer_api.post(
        "/pledges", body(operators_unit, threshold={"kind": "count", "value": 3})
    )
    assert response.status_code == 422 and fields_named(response) == {"threshold_value"}


@pytest.mark.parametrize(
    "variable", [("TOCSIN_PLEDGE_MIN_SIGNATURES", "1"), ("TOCSIN_PLEDGE_MIN_GROUP", "2")]
)
def test_the_server_refuses_to_start_with_lower_floors(tmp_path, variable):
    name, value = variable
    environment = {**os.environ, "TOCSIN_VAR_DIR": str(tmp_path), name: value}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    loaded = subprocess.run(
        [sys.executable, "-c", "import tocsin.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.returncode != 0
    assert "can only raise the floors" in loaded.stderr


def test_a_tiny_group_cannot_be_made_by_an_admin_to_test_one_person(organizer_api, atu, operators):
    """The probe itself: a unit of Ana and nine people who cannot sign is ten members,
    but one signature is then never enough to go live (five are)."""
    probe = Unit.objects.create(organization=atu, name="Probe")
    decoys = [make_person(atu, name=f"Decoy {n}") for n in range(9)]
    Membership.objects.filter(person__in=[operators[0], *decoys]).update(unit=probe)
    for threshold in ({"kind": "count", "value": 1}, {"kind": "percent", "value": 10}):
        response = organizer_api.post("/pledges", body(probe, threshold=threshold))
        assert response.status_code == 422, threshold
        assert fields_named(response) == {"threshold_value"}


def test_a_small_site_or_a_small_organization_is_refused_naming_the_field(
    atu, operators, organizer
):
    from tests.conftest import make_org, make_site
    from tocsin.accounts.roles import Role

    office = make_site(atu, name="Metro Transit office", lat="44.980000", lng="-93.270000")
    Membership.objects.filter(person__in=operators[:3]).update(site=office)
    response = Api(token_for(organizer)).post(
        "/pledges", body(None, scope="site", site=office.code)
    )
    assert response.status_code == 422 and fields_named(response) == {"site"}
    assert "Metro Transit office has 3 members" in response.content.decode()

    small = make_org(slug="small-local", name="Small Local")
    steward = make_person(small, Role.ORGANIZER, name="Sam Steward")
    for n in range(4):
        make_person(small, name=f"Small member {n}")
    response = Api(token_for(steward)).post(
        "/pledges", body(None, organization=small.slug, scope="organization")
    )
    assert response.status_code == 422 and fields_named(response) == {"scope"}
    assert "Small Local has 5 members" in response.content.decode()
