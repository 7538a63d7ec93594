"""The clause library's tests: the Minneapolis educators, NYSNA and United Educators of San
Francisco, with the demo's clauses and sharing, and an organizer (steward) of each."""

import pytest
from django.urls import reverse

from tests.conftest import make_org, make_person, make_site, verified_client
from tocsin.accounts.models import Organization
from tocsin.accounts.roles import Role
from tocsin.demo import world
from tocsin.demo.clauses import EXCLUSION_TITLE, WARRANT_TITLE, write_library

__all__ = ["EXCLUSION_TITLE", "WARRANT_TITLE"]


def library_world() -> dict[str, Organization]:
    """Make the three organizations, Anishinabe Academy and the demo's clause library."""
    organizations = {
        world.MFE: make_org(world.MFE, "Minneapolis Federation of Educators", "local"),
        world.NYSNA: make_org(world.NYSNA, "New York State Nurses Association (NYSNA)", "union"),
        world.UESF: make_org(world.UESF, "United Educators of San Francisco", "local"),
    }
    school = make_site(organizations[world.MFE], world.ANISHINABE, "44.949600", "-93.245000")
    write_library(organizations, {world.ANISHINABE: school})
    return organizations


@pytest.fixture
def orgs(db):
    return library_world()


@pytest.fixture
def steward(orgs):
    """A steward of United Educators of San Francisco (an organizer, in Tocsin's roles)."""
    return make_person(
        orgs[world.UESF], Role.ORGANIZER, email="steward@uesf.test", name="Sam Steward"
    )


@pytest.fixture
def mfe_organizer(orgs):
    return make_person(
        orgs[world.MFE], Role.ORGANIZER, email="organizer@mfe.test", name="Mina Organizer"
    )


@pytest.fixture
def steward_client(client, steward):
    return verified_client(client, steward)


def library_url(org: Organization) -> str:
    return reverse("clauses:library", kwargs={"org": org.slug})


def clause_url(org: Organization, clause, name: str = "clause") -> str:
    return reverse(f"clauses:{name}", kwargs={"org": org.slug, "clause": clause.code})
