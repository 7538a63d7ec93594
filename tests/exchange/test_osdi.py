"""The OSDI read API, as an organizer's other tool reads it: shaped like the OSDI examples,
paginated, behind the organization's own tokens, and with nothing private in it."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import make_person
from tests.factories import token_for
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.exchange.models import Withheld

from .world import build

EXAMPLES = json.loads((Path(__file__).parent / "osdi_examples.json").read_text())
HAL = "application/hal+json"


@pytest.fixture
def world(org, site):
    return build(org, site)


class Osdi:
    """A client of the OSDI API with a token, as another tool holds one."""

    def __init__(self, token=None, header="Authorization"):
        self.client = Client()
        if token is None:
            self.headers = {}
        elif header == "Authorization":
            self.headers = {"Authorization": f"Bearer {token}"}
        else:
            self.headers = {header: token}

    def get(self, path, **query):
        url = path if path.startswith("/") else f"/api/osdi/v1/{path}"
        return self.client.get(url, query, headers=self.headers)


@pytest.fixture
def osdi(world):
    return Osdi(token_for(world.organizer))


def same_shape(ours, example, where="$"):
    """Fail unless every key of ours is a key of the OSDI example at the same place, with
    the same JSON type (no nulls: OSDI leaves out what a system does not have)."""
    if isinstance(example, dict):
        assert isinstance(ours, dict), f"{where} is {type(ours).__name__}, not an object"
        for key, value in ours.items():
            assert key in example, f"{where}.{key} is not a field of the OSDI example"
            same_shape(value, example[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(ours, list), f"{where} is {type(ours).__name__}, not an array"
        for index, item in enumerate(ours):
            same_shape(item, example[0], f"{where}[{index}]")
    elif isinstance(example, bool):
        assert isinstance(ours, bool), f"{where} is {ours!r}, not a boolean"
    elif isinstance(example, int | float):
        assert isinstance(ours, int | float) and not isinstance(ours, bool), f"{where}: {ours!r}"
    else:
        assert isinstance(ours, str), f"{where} is {ours!r}, not a string"


def resource_basics(resource):
    assert resource["identifiers"][0].startswith("tocsin:")
    assert resource["created_date"].endswith("Z") and resource["modified_date"].endswith("Z")
    assert resource["_links"]["self"]["href"].startswith("http")


def path_of(href):
    return urlsplit(href["href"] if isinstance(href, dict) else href).path


def link(href):
    """Return the path and query of a link, to follow it as a client would."""
    found = urlsplit(href["href"])
    return found.path + (f"?{found.query}" if found.query else "")


def test_the_entry_point_links_people_and_events(osdi, org):
    response = osdi.get(f"{org.slug}/")

    assert response.status_code == 200 and response["Content-Type"] == HAL
    aep = response.json()
    same_shape(aep, EXAMPLES["aep"])
    assert path_of(aep["_links"]["osdi:people"]) == f"/api/osdi/v1/{org.slug}/people"
    assert path_of(aep["_links"]["osdi:events"]) == f"/api/osdi/v1/{org.slug}/events"


def test_people_are_shaped_as_osdi_with_only_shared_contacts(osdi, org, world):
    response = osdi.get(f"{org.slug}/people")

    assert response.status_code == 200 and response["Content-Type"] == HAL
    page = response.json()
    same_shape(page, EXAMPLES["people"])
    people = {p["given_name"]: p for p in page["_embedded"]["osdi:people"]}
    assert "Wanda Withheld" not in people  # asked to be kept out
    assert page["total_records"] == len(people) == 3  # Olga, Rosa and Dawit
    rosa = people["Rosa Reyes"]
    resource_basics(rosa)
    assert rosa["identifiers"] == [f"tocsin:{world.rosa.public_id}"]
    assert rosa["email_addresses"] == [
        {"primary": True, "address": "rosa.reyes@example.org", "status": "subscribed"}
    ]
    assert [(n["number"], n["sms_capable"]) for n in rosa["phone_numbers"]] == [
        ("+16125550101", True)
    ]
    dawit = people["Dawit Hassan"]
    assert dawit["email_addresses"] == []  # unconfirmed
    assert [n["number"] for n in dawit["phone_numbers"]] == ["+16125550102"]  # not the STOPped
    assert dawit["preferred_language"] == "so"
    assert [link["href"] for link in page["_links"]["osdi:people"]] == [
        p["_links"]["self"]["href"] for p in page["_embedded"]["osdi:people"]
    ]


def test_every_read_of_people_is_audited(osdi, org, world):
    osdi.get(f"{org.slug}/people")
    osdi.get(f"{org.slug}/people/{world.rosa.public_id}")

    entries = AuditEntry.objects.filter(actor=world.organizer, organization=org)
    assert entries.filter(action="exchange.osdi.people_read").count() == 1
    read = entries.get(action="exchange.osdi.person_read")
    assert read.object_id == str(world.rosa.public_id)
    assert "rosa.reyes" not in json.dumps(read.detail)


def test_pages_link_to_the_next_and_previous(osdi, org, world):
    first = osdi.get(f"{org.slug}/people", per_page=1).json()
    assert (first["page"], first["per_page"], first["total_pages"]) == (1, 1, 3)
    assert "prev" not in first["_links"]
    second = osdi.get(link(first["_links"]["next"])).json()
    assert second["page"] == 2
    assert link(second["_links"]["prev"]) == f"/api/osdi/v1/{org.slug}/people?page=1&per_page=1"
    assert second["_links"]["previous"] == second["_links"]["prev"]
    last = osdi.get(f"{org.slug}/people", per_page=1, page=3).json()
    assert "next" not in last["_links"] and len(last["_embedded"]["osdi:people"]) == 1
    names = [
        p["given_name"] for page in (first, second, last) for p in page["_embedded"]["osdi:people"]
    ]
    assert len(names) == len(set(names)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "-1"}, "per_page"),
        ({"page": "9" * 40}, "page"),
        ({"page": "\u0661"}, "page"),  # an Arabic-Indic one
    ],
)
def test_a_bad_page_parameter_is_named(osdi, org, world, query, field):
    response = osdi.get(f"{org.slug}/people", **query)

    assert response.status_code == 400
    [status] = response.json()["resource_status"]
    assert status["error_descriptions"][0]["properties"] == [field]


def test_events_are_shaped_as_osdi_and_hide_an_address_kept_for_rsvps(osdi, org, world):
    page = osdi.get(f"{org.slug}/events").json()

    same_shape(page, EXAMPLES["events"])
    events = {e["title"]: e for e in page["_embedded"]["osdi:events"]}
    vigil = events["Vigil at HCMC"]
    resource_basics(vigil)
    assert vigil["identifiers"] == [f"tocsin:{world.vigil.code}"]
    assert vigil["status"] == "confirmed" and vigil["visibility"] == "public"
    assert vigil["total_accepted"] == 2  # Rosa and Wanda are going: a count, not who
    assert vigil["location"]["venue"] == "Hennepin County Medical Center"
    assert vigil["location"]["location"] == {"latitude": 44.9727, "longitude": -93.2622}
    assert "location" not in events["Stewards' meeting"]
    single = osdi.get(path_of(vigil["_links"]["self"])).json()
    assert single == vigil


def test_an_events_attendances_say_who_came_without_the_withheld(osdi, org, world):
    event = osdi.get(f"{org.slug}/events/{world.vigil.code}").json()
    page = osdi.get(path_of(event["_links"]["osdi:attendances"])).json()

    same_shape(page, EXAMPLES["attendances"])
    got = {
        path_of(a["_links"]["osdi:person"]).rsplit("/", 1)[1]: (a["status"], a["attended"])
        for a in page["_embedded"]["osdi:attendances"]
    }
    assert got == {
        str(world.rosa.public_id): ("accepted", True),
        str(world.dawit.public_id): ("tentative", False),
    }
    one = page["_embedded"]["osdi:attendances"][0]
    resource_basics(one)
    assert osdi.get(path_of(one["_links"]["self"])).json() == one
    reads = AuditEntry.objects.filter(actor=world.organizer, action__startswith="exchange.osdi.")
    assert {entry.action for entry in reads} >= {
        "exchange.osdi.attendances_read",
        "exchange.osdi.attendance_read",
    }


def test_a_persons_attendances_are_theirs(osdi, org, world):
    rosa = osdi.get(f"{org.slug}/people/{world.rosa.public_id}").json()
    page = osdi.get(path_of(rosa["_links"]["osdi:attendance"])).json()

    same_shape(page, EXAMPLES["attendances"])
    assert sorted(
        path_of(a["_links"]["osdi:event"]) for a in page["_embedded"]["osdi:attendances"]
    ) == sorted(
        f"/api/osdi/v1/{org.slug}/events/{event.code}" for event in (world.vigil, world.hidden)
    )


def test_the_osdi_token_header_works_too(org, world):
    response = Osdi(token_for(world.organizer), header="OSDI-API-Token").get(f"{org.slug}/")
    assert response.status_code == 200


def test_no_token_or_a_bad_one_gets_401(org, world):
    for osdi in (Osdi(), Osdi("tocsin_nope_nope")):
        response = osdi.get(f"{org.slug}/people")
        assert response.status_code == 401 and "osdi:people" not in response.content.decode()


def test_a_member_who_does_not_organize_gets_403(org, world):
    response = Osdi(token_for(world.rosa)).get(f"{org.slug}/people")
    assert response.status_code == 403 and "Rosa" not in response.content.decode()


def test_it_only_reads(osdi, org, world):
    response = osdi.client.post(f"/api/osdi/v1/{org.slug}/people", {}, headers=osdi.headers)
    assert response.status_code == 405


def withheld_is_gone(osdi, org, world):
    return osdi.get(f"{org.slug}/people/{world.withheld.public_id}").status_code == 404


def test_a_withheld_member_and_their_attendances_are_not_found(osdi, org, world):
    assert withheld_is_gone(osdi, org, world)
    url = f"{org.slug}/events/{world.vigil.code}/attendances/{world.withheld.public_id}"
    assert osdi.get(url).status_code == 404
    Withheld.objects.all().delete()
    assert not withheld_is_gone(osdi, org, world)


def all_urls(org, world):
    return [
        f"{org.slug}/",
        f"{org.slug}/people",
        f"{org.slug}/people/{world.rosa.public_id}",
        f"{org.slug}/people/{world.rosa.public_id}/attendances",
        f"{org.slug}/events",
        f"{org.slug}/events/{world.vigil.code}",
        f"{org.slug}/events/{world.vigil.code}/attendances",
        f"{org.slug}/events/{world.vigil.code}/attendances/{world.rosa.public_id}",
    ]


def test_every_url_answers_an_admin_of_another_organization_404(org, other_org, outsider, world):
    """An admin of another organization, with a valid token of theirs, learns nothing: each
    of this organization's URLs is 404, as for one that does not exist."""
    from django.urls import get_resolver

    theirs = Osdi(token_for(outsider))
    urls = all_urls(org, world)
    patterns = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/osdi/v1/"]
    assert len(urls) == len(patterns[0].url_patterns)  # every route of the API is walked
    for url in urls:
        response = theirs.get(url)
        assert response.status_code == 404, url
        assert "Rosa" not in response.content.decode()


def walk(osdi, start):
    """Follow every link the API gives, from the entry point; return each body read."""
    seen, bodies, todo = set(), [], [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = osdi.get(path)
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
        stack = [response.json()]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                href = item.get("href")
                if isinstance(href, str) and "/api/osdi/" in href and not item.get("templated"):
                    todo.append(link(item))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return seen, bodies


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def test_nothing_private_appears_anywhere_in_the_api(osdi, org, world):
    """Walk the whole API from its entry point, as a tool holding an organizer's token
    could, and search every byte for what must never leave."""
    seen, bodies = walk(osdi, f"/api/osdi/v1/{org.slug}/")

    assert len(seen) >= 10
    everything = "\n".join(bodies)
    assert "Rosa Reyes" in everything  # the walk did reach the people
    leaked = [value for value in world.never if value in everything]
    assert leaked == []
    keys = {key for body in bodies for key in keys_of(json.loads(body))}
    assert keys.isdisjoint(world.never_keys)
    assert not any("immigra" in key for key in keys)


def test_an_inactive_membership_is_not_listed(osdi, org, world):
    org.memberships.filter(person=world.dawit).update(active=False)
    names = [
        p["given_name"] for p in osdi.get(f"{org.slug}/people").json()["_embedded"]["osdi:people"]
    ]
    assert "Dawit Hassan" not in names


def test_a_token_of_someone_who_left_gets_404(org, world):
    token = token_for(world.organizer)
    org.memberships.filter(person=world.organizer).update(active=False)
    assert Osdi(token).get(f"{org.slug}/people").status_code == 404


def test_an_admin_token_reads_too(org, world):
    admin = make_person(org, Role.ADMIN, email="ada2@mna.test", name="Ada Two")
    assert Osdi(token_for(admin)).get(f"{org.slug}/events").status_code == 200


def test_an_admin_keeps_a_member_out_by_their_address_and_lets_them_back(
    admin_client, org, admin, world
):
    osdi = Osdi(token_for(admin))
    exchange = f"/staff/o/{org.slug}/exchange/"
    response = admin_client.post(exchange + "kept-out/", {"address": " ROSA.Reyes@example.org "})

    assert response.status_code == 302
    assert osdi.get(f"{org.slug}/people/{world.rosa.public_id}").status_code == 404
    page = admin_client.get(exchange).content.decode()
    assert "Rosa Reyes" in page and "Wanda Withheld" in page
    assert AuditEntry.objects.filter(action="exchange.member.withheld", organization=org).exists()

    admin_client.post(exchange + f"kept-out/{world.rosa.public_id}/remove/")
    assert osdi.get(f"{org.slug}/people/{world.rosa.public_id}").status_code == 200


def test_keeping_out_an_address_of_no_member_is_refused_by_name(
    admin_client, org, other_org, outsider, world
):
    for address in ("nobody@example.org", "admin@seiu.test", "+1 612 555 0000", ""):
        response = admin_client.post(
            f"/staff/o/{org.slug}/exchange/kept-out/", {"address": address}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "The member&#x27;s email or phone number:" in html or "phone number:" in html
    assert Withheld.objects.filter(organization=org).count() == 1  # Wanda, from the start
