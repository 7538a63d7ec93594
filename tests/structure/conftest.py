"""Structure fixtures: the HCMC nurses' unit of the Minnesota Nurses Association (`org`),
its staff organizer Olga (added to the unit), a steward who organizes from inside it, ten
nurses placed in it, and an organizer of another unit."""

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.structure.models import UnitOrganizer

NURSES = [
    "Rosa Rivera",
    "Amina Farah",
    "Bao Vang",
    "Carmen Ortiz",
    "Dana Lee",
    "Elena Cruz",
    "Fatima Hassan",
    "Grace Kim",
    "Hector Ruiz",
    "Ines Morales",
]


def place(person, unit):
    Membership.objects.filter(person=person, organization=unit.organization).update(unit=unit)
    return person


@pytest.fixture
def unit(org, site):
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    unit.sites.add(site)
    return unit


@pytest.fixture
def other_unit(org):
    return Unit.objects.create(organization=org, name="Minneapolis VA registered nurses")


@pytest.fixture
def organizer(org, unit):
    """Olga, a staff organizer of the local, added to the nurses' unit."""
    person = make_person(
        org, Role.ORGANIZER, email="olga@mna.test", password="organizer horse 42", name="Olga"
    )
    UnitOrganizer.objects.create(unit=unit, person=person)
    return person


@pytest.fixture
def steward(org, unit):
    """Sam, a nurse of the unit who holds the organizer role: he organizes it from inside."""
    return place(make_person(org, Role.ORGANIZER, email="sam@mna.test", name="Sam Steward"), unit)


@pytest.fixture
def va_organizer(org, other_unit):
    """An organizer of the VA nurses, not of HCMC's."""
    person = make_person(org, Role.ORGANIZER, email="vic@mna.test", name="Vic VA")
    UnitOrganizer.objects.create(unit=other_unit, person=person)
    return person


@pytest.fixture
def nurses(org, unit, site):
    return [place(make_person(org, name=name, site=site), unit) for name in NURSES]


@pytest.fixture
def organizer_client(client, organizer):
    return verified_client(client, organizer)
