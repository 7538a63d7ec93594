"""A coalition admin, and an admin of another union, try to learn who signed in a union
of a coalition pledge before it is live, and cannot.

Two worlds differ only in who signed in SEIU Local 26 (the first three janitors, or the
next three): the coalition admin reads every screen they reach with the coalition's and
the unions' objects, the coalition view and its data, every API read with their token,
their audit log and its CSV; UNITE HERE's admin does the same with their own union. Every
answer is the same in both worlds. Once it is live, SEIU's own organizer does see a
difference (the method can see one), and the coalition still does not.
"""

import json

import pytest
from django.db import transaction
from django.urls import reverse

from tests.conftest import make_person, verified_client
from tests.factories import share, token_for
from tests.pledges.reading import api_reads, normalized, staff_screens
from tocsin.accounts.roles import Role
from tocsin.pledges.services import signing

from . import world as january_23

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(minneapolis, client, sent, smtp_server, signal_server):
    world = minneapolis
    for union in world.unions:
        share(union.organization, world.coalition, "alerts", "events")
    with sent():
        found = january_23.coalition_pledge(world)
        pledges = january_23.accept_all(world, found)
    coalition_admin = make_person(
        world.coalition, Role.ADMIN | Role.ORGANIZER, email="admin@mrlf.test", name="Ada Admin"
    )
    unite = world.union("unite-here-local-17")
    unite_admin = make_person(
        unite.organization, Role.ADMIN | Role.ORGANIZER, email="admin@unite.test", name="Uma Admin"
    )
    return world, found, pledges, coalition_admin, unite_admin


def reader(client, person, organization, objects):
    """Return look(): everything `person` reads as `organization`'s staff."""
    token = token_for(person)

    def look() -> dict[str, str]:
        verified_client(client, person)
        seen = {}
        for code in objects["pledges"]:
            args = {**objects, "pledge": code}
            for url in staff_screens(args):
                response = client.get(url)
                seen[url] = f"{response.status_code} {normalized(response.content.decode())}"
            for path in api_reads(args):
                response = client.get(
                    f"/api/v1{path}",
                    {"organization": organization.slug},
                    headers={"Authorization": f"Bearer {token}"},
                )
                seen[f"api {path}"] = (
                    f"{response.status_code} {normalized(response.content.decode())}"
                )
        csv = client.get(reverse("audit:log_csv", kwargs={"org": organization.slug}))
        seen["audit.csv"] = normalized(csv.content.decode())
        return seen

    return look


def world_where(signers, pledge, look, sent):
    with transaction.atomic():
        with sent():
            for person in signers:
                signing.sign(person, pledge)
        seen = look()
        transaction.set_rollback(True)
    return seen


def objects_of(world, found, pledges, organization):
    return {
        "org": organization.slug,
        "coalition_pledge": found.code,
        "pledges": [pledge.code for pledge in pledges.values()],
    }


@pytest.mark.parametrize("who", ["coalition admin", "admin of another union"])
def test_nobody_outside_the_union_can_tell_who_signed_in_it(client, sealed, sent, who):
    world, found, pledges, coalition_admin, unite_admin = sealed
    person, organization = (
        (coalition_admin, world.coalition)
        if who == "coalition admin"
        else (unite_admin, world.union("unite-here-local-17").organization)
    )
    look = reader(client, person, organization, objects_of(world, found, pledges, organization))
    seiu = world.union("seiu-local-26")
    pledge = pledges[seiu.organization.slug]
    first = world_where(seiu.members[:3], pledge, look, sent)
    second = world_where(seiu.members[3:6], pledge, look, sent)
    readable = [key for key, text in first.items() if text.startswith("200 ")]
    assert len(readable) >= 5, readable
    coalition_page = reverse(
        "pledges:coalition_pledge",
        kwargs={"org": organization.slug, "coalition_pledge": found.code},
    )
    assert coalition_page in readable
    assert [key for key in first if first[key] != second.get(key)] == []
    for text in first.values():
        for member in seiu.members:
            assert member.display_name not in text


def test_once_live_the_union_sees_its_signers_and_the_coalition_still_sees_none(
    client, sealed, sent
):
    world, found, pledges, coalition_admin, _unite_admin = sealed
    seiu = world.union("seiu-local-26")
    with sent():
        for union in world.unions:
            for person in union.members[: union.required]:
                signing.sign(person, pledges[union.organization.slug])
    found.refresh_from_db()
    assert found.state == "active"
    verified_client(client, seiu.organizer)
    page = client.get(
        reverse(
            "pledges:pledge",
            kwargs={"org": seiu.organization.slug, "pledge": pledges[seiu.organization.slug].code},
        )
    ).content.decode()
    assert seiu.members[0].display_name in page
    look = reader(
        client,
        coalition_admin,
        world.coalition,
        objects_of(world, found, pledges, world.coalition),
    )
    seen = look()
    seen["view"] = client.get(
        reverse("coalition:coalition_data", kwargs={"org": world.coalition.slug})
    ).content.decode()
    everything = json.dumps(seen)
    assert all(member.display_name not in everything for member in world.members)


def test_the_coalition_does_not_see_a_union_s_first_signature(client, sealed, sent):
    """A count that moves by one: UNITE HERE asks for 6; with nobody signed, or one, the
    coalition reads the same (the bucket is under a quarter either way)."""
    world, found, pledges, coalition_admin, _unite_admin = sealed
    unite = world.union("unite-here-local-17")
    pledge = pledges[unite.organization.slug]
    objects = {
        "org": world.coalition.slug,
        "coalition_pledge": found.code,
        "pledges": [pledge.code],
    }
    look = reader(client, coalition_admin, world.coalition, objects)
    nobody = world_where([], pledge, look, sent)
    one = world_where(unite.members[:1], pledge, look, sent)
    assert [key for key in nobody if nobody[key] != one.get(key)] == []
    page = reverse(
        "pledges:coalition_pledge",
        kwargs={"org": world.coalition.slug, "coalition_pledge": found.code},
    )
    two = world_where(unite.members[:2], pledge, lambda: {page: client.get(page).content}, sent)
    assert normalized(two[page].decode()) != nobody[page].split(" ", 1)[1], "it moves at two"
