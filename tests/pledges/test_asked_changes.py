"""An admin who moves members into or out of an open pledge's groups is seen doing it.

The moves change no count (the roll was taken at the send), but moving people in and out
is how someone would probe who signed. Each move is flagged in the audit log, and the
pledge's page lists them (who, when, what) for every other organizer and admin.
"""

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, verified_client
from tests.factories import Api, token_for
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.pledges import progress
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing

from .conftest import pledge_input

FLAGGED = "pledges.pledge.asked_changed"


@pytest.fixture
def mechanics(atu):
    unit = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    people = [make_person(atu, name=f"Mechanic {n:02}") for n in range(3)]
    Membership.objects.filter(person__in=people).update(unit=unit)
    return unit, people


@pytest.fixture
def hostile_api(atu_admin):
    return Api(token_for(atu_admin))


def move(api, org, person, **changes):
    response = api.patch(f"/organizations/{org.slug}/memberships/{person.public_id}", changes)
    assert response.status_code == 200, response.content
    return response


def pledge_page(client, pledge) -> str:
    url = reverse("pledges:pledge", kwargs={"org": pledge.organization.slug, "pledge": pledge.code})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_moves_in_and_out_of_the_unit_show_on_the_pledge_page_and_in_the_audit_log(
    hostile_api, atu_admin, atu, pledge, operators, operators_unit, mechanics, client
):
    parking, fixers = mechanics
    signing.sign(operators[0], pledge)
    before = progress.groups(pledge)

    move(hostile_api, atu, operators[0], unit=parking.code)
    move(hostile_api, atu, fixers[0], unit=operators_unit.code)
    move(hostile_api, atu, operators[1], active=False)

    assert progress.groups(pledge) == before  # nothing the admin did changed a count
    flagged = AuditEntry.objects.filter(action=FLAGGED, object_id=pledge.code)
    assert sorted(flagged.values_list("detail__change", flat=True)) == ["in", "out", "out"]
    assert set(flagged.values_list("actor", flat=True)) == {atu_admin.pk}

    # Another admin reads the pledge's page and the audit log.
    other = make_person(atu, Role.ADMIN, name="Rosa Steward", email="rosa@atu.test")
    verified_client(client, other)
    page = pledge_page(client, pledge)
    assert 'data-testid="asked-changes"' in page
    assert "admins made 3 changes to the members of the groups this pledge asks" in page
    assert page.count(atu_admin.display_name) == 3
    assert "moved a member into the groups it asks" in page
    assert "They change nothing here" in page
    assert "In its groups now but not asked: 1. Asked but no longer in its groups: 2." in page
    log = client.get(reverse("audit:log", kwargs={"org": atu.slug})).content.decode()
    assert log.count("flagged: changed who is in an open pledge") == 3
    exported = client.get(reverse("audit:log_csv", kwargs={"org": atu.slug})).content.decode()
    rows = list(csv.reader(io.StringIO(exported)))
    assert sum(1 for row in rows if row[2] == FLAGGED and row[4] == pledge.code) == 3


def test_a_move_on_the_staff_screen_and_an_erasure_are_flagged_too(
    atu_admin, atu, pledge, operators, mechanics
):
    parking, _fixers = mechanics
    admin = verified_client(Client(), atu_admin)
    url = reverse("staff:member", kwargs={"org": atu.slug, "person": operators[2].public_id})
    response = admin.post(url, {"unit": parking.code, "site": ""})
    assert response.status_code == 302, response.content
    erase = reverse(
        "staff:member_erase", kwargs={"org": atu.slug, "person": operators[3].public_id}
    )
    response = admin.post(erase, {"confirmation": operators[3].display_name})
    assert response.status_code == 302

    changes = AuditEntry.objects.filter(action=FLAGGED, object_id=pledge.code)
    assert sorted(changes.values_list("detail__change", flat=True)) == ["erased", "out"]
    assert (progress.groups(pledge)[0].eligible) == 12


def test_moves_that_touch_no_open_sent_pledge_are_not_flagged(
    hostile_api, organizer, atu, operators, operators_unit, mechanics, sent
):
    parking, fixers = mechanics
    not_sent = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    move(hostile_api, atu, operators[0], unit=parking.code)  # before any roll is taken
    taken = pledge_services.take_roll(not_sent)
    move(hostile_api, atu, fixers[1], unit=None)  # between units the pledge does not ask
    move(hostile_api, atu, fixers[2], active=False)

    assert not AuditEntry.objects.filter(action=FLAGGED).exists()
    assert progress.asked_changes(taken).count == 0


def test_moving_a_member_between_the_units_of_an_each_of_them_pledge_is_flagged(
    hostile_api, organizer, atu, operators, operators_unit, sent
):
    rail = Unit.objects.create(organization=atu, name="Metro Transit light rail")
    drivers = [make_person(atu, name=f"Rail operator {n:02}") for n in range(10)]
    Membership.objects.filter(person__in=drivers).update(unit=rail)
    pledge = pledge_services.take_roll(
        pledge_services.create_pledge(
            organizer,
            atu,
            pledge_input(
                operators_unit, scope=Pledge.Scope.UNITS_EACH, units=[operators_unit, rail]
            ),
        )
    )
    move(hostile_api, atu, operators[0], unit=rail.code)

    (change,) = AuditEntry.objects.filter(action=FLAGGED, object_id=pledge.code)
    assert change.detail == {"change": "between", "member": str(operators[0].public_id)}
    sizes = {group.name: group.eligible for group in progress.groups(pledge)}
    assert sizes == {"Metro Transit bus operators": 12, "Metro Transit light rail": 10}


def test_the_pledge_page_says_the_notice_in_spanish(
    hostile_api, atu, pledge, operators, mechanics, organizer_client
):
    parking, _fixers = mechanics
    move(hostile_api, atu, operators[0], unit=parking.code)
    organizer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = pledge_page(organizer_client, pledge)
    assert "No cambian nada aquí" in page
