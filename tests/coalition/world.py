"""The January 23 world, reusable: the Minneapolis Regional Labor Federation and its four
unions (SEIU Local 26, UNITE HERE Local 17, ATU Local 1005, CWA Local 7250), each with a
unit of members who hear on email or Signal, an organizer of its own, and the coalition's
organizer. Fictional people only.

`minneapolis()` builds it; `coalition_pledge(world)` proposes the January 23 pledge to the
four unions, each with its own threshold; `accept_all(world, pledge)` has each union's
organizer accept it for their unit (which sends it to their members).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from tests.conftest import make_org, make_person, make_site
from tocsin.accounts.models import ContactPoint, Membership, Organization, Person, Site, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.pledges.models import CoalitionPledge, Pledge
from tocsin.pledges.services import coalition as coalition_services
from tocsin.response.models import Incident, Report

ACTION = "We stay out on January 23"
DETAILS = "Four unions, one day. Nobody goes out alone: all of us, or none of us."

# slug, name, site (lat, lng), unit, members, threshold (kind, value): ATU's is its seed.
UNIONS = [
    (
        "seiu-local-26",
        "SEIU Local 26",
        ("Hennepin County Medical Center", "44.972700", "-93.262200"),
        "HCMC janitors",
        10,
        ("percent", 50),
    ),
    (
        "unite-here-local-17",
        "UNITE HERE Local 17",
        ("Minneapolis VA Medical Center", "44.900600", "-93.203600"),
        "VA food service",
        10,
        ("count", 6),
    ),
    (
        "atu-local-1005",
        "ATU Local 1005",
        ("Metro Transit garage", "44.986200", "-93.276200"),
        "Metro Transit bus operators",
        12,
        ("percent", 60),
    ),
    (
        "cwa-local-7250",
        "CWA Local 7250",
        ("Anishinabe Academy", "44.949600", "-93.245000"),
        "Call center workers",
        10,
        ("percent", 60),
    ),
]
FIRST_NAMES = ["Amina", "Bashir", "Chen", "Dalia", "Emeka", "Fatuma", "Gloria", "Hodan"]
LAST_NAMES = ["Warsame", "Lindqvist", "Okafor", "Reyes", "Yusuf", "Nakamura"]


@dataclass
class Union:
    organization: Organization
    site: Site
    unit: Unit
    members: list[Person]
    organizer: Person
    threshold: tuple[str, int]

    @property
    def required(self) -> int:
        kind, value = self.threshold
        size = len(self.members)
        return -(-size * value // 100) if kind == "percent" else value


@dataclass
class World:
    coalition: Organization
    organizer: Person  # the coalition's organizer (and admin)
    unions: list[Union] = field(default_factory=list)

    def union(self, slug: str) -> Union:
        return next(u for u in self.unions if u.organization.slug == slug)

    @property
    def members(self) -> list[Person]:
        return [person for union in self.unions for person in union.members]


def member_name(union_index: int, index: int) -> str:
    first = FIRST_NAMES[(union_index * 3 + index) % len(FIRST_NAMES)]
    last = LAST_NAMES[(union_index + index) % len(LAST_NAMES)]
    return f"{first} {last} {union_index}{index:02d}"


def email_of(union: Union, index: int) -> str:
    return f"member{index}@{union.organization.slug}.test"


def signal_of(union_index: int, index: int) -> str:
    return f"+1612555{union_index}{index:03d}"


def minneapolis(sizes: dict[str, int] | None = None) -> World:
    """Build the coalition and its four unions; every third member hears on Signal, the
    others by email, in English, Spanish or Somali."""
    coalition = make_org(
        slug="mn-regional-labor-federation",
        name="Minneapolis Regional Labor Federation",
        kind=Organization.Kind.COALITION,
    )
    organizer = make_person(
        coalition,
        Role.ORGANIZER | Role.ADMIN,
        email="organizer@mrlf.test",
        password="federation horse 42",
        name="Fran Federation",
    )
    built = World(coalition, organizer)
    for union_index, (slug, name, where, unit_name, size, threshold) in enumerate(UNIONS):
        organization = make_org(slug=slug, name=name, kind=Organization.Kind.LOCAL)
        coalition.member_organizations.add(organization)
        site = make_site(organization, name=where[0], lat=where[1], lng=where[2])
        unit = Unit.objects.create(organization=organization, name=unit_name)
        unit.sites.add(site)
        union_organizer = make_person(
            organization,
            Role.ORGANIZER,
            email=f"organizer@{slug}.test",
            password=f"organize {slug} 42",
            name=f"Organizer of {name}",
        )
        union = Union(organization, site, unit, [], union_organizer, threshold)
        for index in range((sizes or {}).get(slug, size)):
            person = make_person(
                organization,
                name=member_name(union_index, index),
                language=("en", "es", "so")[index % 3],
            )
            if index % 3 == 2:
                add_contact(
                    person, ContactPoint.Channel.SIGNAL, signal_of(union_index, index), True
                )
            else:
                add_contact(person, ContactPoint.Channel.EMAIL, email_of(union, index), True)
            union.members.append(person)
        Membership.objects.filter(organization=organization, person__in=union.members).update(
            unit=unit, site=site
        )
        built.unions.append(union)
    return built


def coalition_input(world: World, **changes) -> coalition_services.CoalitionPledgeInput:
    fields = {
        "action": ACTION,
        "details": DETAILS,
        "deadline": timezone.now() + timedelta(days=7),
        "parts": [
            coalition_services.PartInput(u.organization, u.threshold[0], u.threshold[1])
            for u in world.unions
        ],
    }
    fields.update(changes)
    return coalition_services.CoalitionPledgeInput(**fields)


def coalition_pledge(world: World, **changes) -> CoalitionPledge:
    """The January 23 pledge, proposed by the coalition to its four unions."""
    return coalition_services.create_coalition_pledge(
        world.organizer, world.coalition, coalition_input(world, **changes)
    )


def accept(union: Union, found: CoalitionPledge) -> Pledge:
    """The union's organizer accepts for its unit (which sends it to the unit's members)."""
    part = found.parts.get(organization=union.organization)
    return coalition_services.accept(
        union.organizer, part, coalition_services.Acceptance(scope="unit", units=[union.unit])
    )


def accept_all(world: World, found: CoalitionPledge) -> dict[str, Pledge]:
    return {u.organization.slug: accept(u, found) for u in world.unions}


REPORT_TEXT = "Two grey vans outside Amina's apartment on 14th Ave"
WHERE_TYPED = "behind the loading dock by Hodan's car"


def open_incident(union: Union, state: str, where: str = WHERE_TYPED, site: bool = True):
    """An incident of the union at its site (or at its point, without the site), in `state`,
    with one report whose words and callback number nobody outside the union may read."""
    found = Incident.objects.create(
        organization=union.organization,
        state=state,
        site=union.site if site else None,
        lat=union.site.lat,
        lng=union.site.lng,
        where=where,
    )
    Report.objects.create(
        organization=union.organization,
        incident=found,
        source="web",
        raw_text=REPORT_TEXT,
        location=WHERE_TYPED,
        callback="+16125559999",
    )
    return found


def address_of(person: Person) -> str:
    """The address a member hears on: their email, or their Signal number."""
    contact = person.contacts.get()
    return contact.address
