"""Vote fixtures: ATU Local 1005 and its Metro Transit bus operators (Ana, Ben and four
more, each with a confirmed email), an organizer, and a vote of the unit open now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_org, make_person, make_site, verified_client
from tocsin.accounts.models import ContactPoint, Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.votes.models import Vote
from tocsin.votes.services import votes as vote_services

OPERATORS = ["Ana Operadora", "Ben Driver", "Carla Ruiz", "Dev Patel", "Elena Soto", "Farah Ali"]
QUESTION = "Do we accept the contract offer of January 12?"


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
    """The six bus operators in the unit; Ana reads Spanish."""
    people = []
    for index, name in enumerate(OPERATORS):
        person = make_person(atu, name=name, language="es" if index == 0 else "en", site=garage)
        Membership.objects.filter(person=person, organization=atu).update(unit=operators_unit)
        slug = name.split()[0].lower()
        add_contact(person, ContactPoint.Channel.EMAIL, f"{slug}@atu.test", True)
        people.append(person)
    return people


@pytest.fixture
def ana(operators):
    return operators[0]


@pytest.fixture
def ben(operators):
    return operators[1]


@pytest.fixture
def organizer(atu):
    return make_person(
        atu,
        Role.ORGANIZER,
        email="organizer@atu.test",
        password="organizer horse 42",
        name="Olga Organizer",
    )


@pytest.fixture
def organizer_client(client, organizer):
    return verified_client(client, organizer)


def new_vote(atu, unit, actor=None, opens=None, closes=None, quorum=("percent", 50)) -> Vote:
    now = timezone.now()
    return vote_services.create_vote(
        actor,
        atu,
        vote_services.VoteInput(
            question=QUESTION,
            options=["Yes", "No"],
            unit=unit,
            opens_at=opens or now - timedelta(minutes=5),
            closes_at=closes or now + timedelta(days=2),
            quorum_kind=quorum[0],
            quorum_value=quorum[1],
        ),
    )


@pytest.fixture
def vote(atu, operators_unit, operators, organizer):
    """A vote of the bus operators, open now, with its ballots sent."""
    return vote_services.send_ballots(organizer, new_vote(atu, operators_unit, organizer))


def option(vote: Vote, label: str):
    return vote.options.get(label=label)


def close(vote: Vote) -> Vote:
    """Move the close into the past, as if the voting period had ended."""
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return vote


def make_vote(org, unit=None) -> Vote:
    """A vote of one of the organization's units, open now, ballots not sent: for the
    access walks (tests/core/test_access.py and tests/api/), which fill `vote` with it."""
    unit = unit or Unit.objects.create(organization=org, name=f"Voters of {org.slug}")
    return new_vote(org, unit)
