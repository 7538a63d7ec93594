"""Pledge fixtures: ATU Local 1005 and its Metro Transit bus operators, twelve of them in the
unit, an organizer, an admin, and the pledge "we stay out on Jan 23 if 60% of our unit
commits" (8 of 12).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_org, make_person, make_site, verified_client
from tocsin.accounts.models import ContactPoint, Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import checks as pledge_checks
from tocsin.pledges.services import pledges as pledge_services

OPERATORS = [
    "Ana Operadora",
    "Ben Driver",
    "Carla Ruiz",
    "Dev Patel",
    "Elena Soto",
    "Farah Ali",
    "Gus Olson",
    "Hien Tran",
    "Ines Vega",
    "Jon Berg",
    "Kofi Mensah",
    "Lupe Diaz",
]
ACTION = "We stay out on January 23"


@pytest.fixture
def atu(db):
    return make_org(slug="atu-local-1005", name="ATU Local 1005 (Metro Transit)")


@pytest.fixture
def garage(atu):
    return make_site(atu, name="Metro Transit garage", lat="44.986200", lng="-93.276200")


@pytest.fixture
def operators_unit(atu, garage):
    unit = Unit.objects.create(organization=atu, name="Metro Transit bus operators")
    unit.sites.add(garage)
    return unit


@pytest.fixture
def operators(atu, garage, operators_unit):
    """The twelve bus operators, each with a confirmed email, in the unit."""
    people = []
    for index, name in enumerate(OPERATORS):
        person = make_person(atu, name=name, language="es" if index % 3 == 0 else "en")
        add_contact(person, ContactPoint.Channel.EMAIL, f"operator{index}@atu.test", True)
        people.append(person)
    Membership.objects.filter(organization=atu, person__in=people).update(
        unit=operators_unit, site=garage
    )
    return people


@pytest.fixture
def organizer(atu):
    return make_person(
        atu,
        Role.ORGANIZER,
        email="organizer@atu.test",
        password="organize horse 42",
        name="Olga Organizer",
    )


@pytest.fixture
def atu_admin(atu):
    return make_person(
        atu,
        Role.ADMIN | Role.ORGANIZER,
        email="admin@atu.test",
        password="admin horse 42",
        name="Adam Admin",
    )


@pytest.fixture
def organizer_client(client, organizer):
    return verified_client(client, organizer)


def pledge_input(unit, **changes) -> pledge_checks.PledgeInput:
    fields = {
        "action": ACTION,
        "scope": Pledge.Scope.UNIT,
        "units": [unit],
        "threshold_kind": Pledge.ThresholdKind.PERCENT,
        "threshold_value": 60,
        "deadline": timezone.now() + timedelta(days=7),
    }
    fields.update(changes)
    return pledge_checks.PledgeInput(**fields)


@pytest.fixture
def pledge(organizer, atu, operators_unit, operators):
    """The pledge with its roll taken, as its send takes it (the twelve operators), but no
    message sent yet: tests that look at the messages send it themselves."""
    created = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    return pledge_services.take_roll(created)


def form(unit, **changes):
    """The organizer's form for a new pledge of `unit`, with `changes`."""
    data = {
        "action": ACTION,
        "details": "Metro Transit cannot run without us. Nobody goes out alone.",
        "scope": "unit",
        "units": [unit.code],
        "threshold_kind": "percent",
        "threshold_value": "60",
        "deadline": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "min_group_size": "10",
    }
    data.update(changes)
    return data
