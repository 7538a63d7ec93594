"""Build the benchmark's population, in one of two shapes.

`site` (populate): one organization, one site, N followers of the site; the shape of runs
A to L in docs/benchmarks.md. `city` (populate_city): the Twin Cities metro, 2,000 sites,
six organizations of which three share alerts, people following one to three sites or an
area, in English, Spanish and Somali; one alert at a hospital with a wide radius reaches
exactly N of them, and misses a fifth as many again.

Each person has one confirmed contact, the channels taken in turn (email, Signal, SMS, web
push; or those given), and is an active member of their organization. Rows go in with one
executemany per table and batch, not through the ORM: the population is the set-up, not
what is measured. Addresses are encrypted and blind-indexed exactly as
tocsin.accounts.services.people stores them.
"""

import json
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tocsin.accounts.models import (
    ALL_ALERT_KINDS,
    ContactPoint,
    Membership,
    Organization,
    Person,
    SharingAgreement,
    Site,
    Subscription,
    SubscriptionCell,
)
from tocsin.accounts.roles import Role
from tocsin.core import geo
from tocsin.core.crypto import blind_index, encrypt

CHANNELS = ("email", "signal", "sms", "push")
BATCH = 10_000
# One row of SQL parameters, as the inserts below write them.
Row = tuple[int | str | bool | uuid.UUID | datetime | None, ...]
SITE = {"name": "Hennepin County Medical Center", "lat": "44.972700", "lng": "-93.262200"}


@dataclass(frozen=True)
class PushPool:
    """Real subscriptions (endpoint id, p256dh, auth) that push contacts take in turn."""

    url: str
    subscriptions: list[tuple[str, str, str]]

    def address(self, n: int) -> str:
        endpoint_id, p256dh, auth = self.subscriptions[n % len(self.subscriptions)]
        return json.dumps(
            {
                "endpoint": f"{self.url}/push/{endpoint_id}.{n}",
                "keys": {"p256dh": p256dh, "auth": auth},
            },
            separators=(",", ":"),
        )


def channel_of(n: int, channels: tuple[str, ...] = CHANNELS) -> str:
    return channels[n % len(channels)]


def address_of(n: int, channel: str, pool: PushPool | None) -> tuple[str, str]:
    """Return person n's contact address on `channel` and what its blind index is computed
    over (a push contact needs the `pool`)."""
    if channel == "email":
        address = f"member{n}@example.org"
        return address, address
    if channel == "signal":
        address = f"+1612{n:07d}"
        return address, address
    if channel == "sms":
        address = f"+1763{n:07d}"
        return address, address
    assert pool is not None, "push contacts need a pool of subscriptions"
    address = pool.address(n)
    return address, json.loads(address)["endpoint"]


@dataclass(frozen=True)
class Member:
    """Person n of a population: their organization, language, followed sites and area.

    Person n's one confirmed contact is on channel n mod 4 (channel_of), its address made
    from n (address_of); they are an active member of their organization, and follow each
    site (and the area, when they have one) in that organization for every kind of alert.
    """

    n: int
    organization: int
    language: str
    sites: tuple[int, ...]
    area: "Area | None" = None


@dataclass(frozen=True)
class Area:
    """A followed area: a point, a radius and its compacted h3 cells (tocsin.core.geo)."""

    lat: float
    lng: float
    radius_m: int
    cells: tuple[int, ...]


def populate(
    recipients: int, pool: PushPool | None, channels: tuple[str, ...] = CHANNELS
) -> tuple[Organization, Site]:
    """Create the organization, the site and `recipients` followers, their contacts on
    `channels` in turn; return the first two."""
    organization = Organization.objects.create(
        name="Benchmark Nurses Association", slug="bench", kind=Organization.Kind.UNION
    )
    site = Site.objects.create(kind=Site.Kind.HOSPITAL, **SITE)
    site.organizations.add(organization)

    def members(first: int, last: int) -> list[Member]:
        return [
            Member(n, organization.pk, "es" if n % 5 == 0 else "en", (site.pk,))
            for n in range(first, last)
        ]

    insert_members(recipients, members, pool, channels)
    return organization, site


def insert_members(
    count: int,
    members: Callable[[int, int], list[Member]],
    pool: PushPool | None,
    channels: tuple[str, ...] = CHANNELS,
) -> None:
    """Insert people 0…count-1 as `members(first, last)` describes them, a batch at a time:
    one executemany per table and batch, in one transaction per batch."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sqlite = connection.vendor == "sqlite"
    start = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_subscription = (
        Subscription.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1

    def statement(model, columns: str) -> str:
        placeholders = ", ".join(["%s"] * len(columns.split(",")))
        return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})"  # noqa: S608

    people_sql = statement(
        Person,
        "id, password, public_id, display_name, language, is_active, is_superuser, created_at",
    )
    contacts_sql = statement(
        ContactPoint,
        "id, person_id, channel, address, address_index, confirmed_at, "
        "preference, code_hash, code_attempts, created_at",
    )
    memberships_sql = statement(
        Membership, "id, person_id, organization_id, roles, site_id, active, joined_at"
    )
    subscriptions_sql = statement(
        Subscription,
        "id, code, person_id, organization_id, site_id, lat, lng, radius_m, kinds, created_at",
    )
    cells_sql = statement(SubscriptionCell, "subscription_id, cell")
    with connection.cursor() as cursor:
        for first in range(0, count, BATCH):
            batch = members(first, min(count, first + BATCH))
            people: list[Row] = []
            contacts: list[Row] = []
            memberships: list[Row] = []
            subscriptions: list[Row] = []
            cells: list[tuple[int, int]] = []
            for member in batch:
                pk = start + member.n
                public_id = uuid.uuid4()
                people.append(
                    (
                        pk,
                        "!",
                        public_id.hex if sqlite else public_id,
                        f"Member {member.n}",
                        member.language,
                        True,
                        False,
                        now,
                    )
                )
                channel = channel_of(member.n, channels)
                address, indexed = address_of(member.n, channel, pool)
                contacts.append(
                    (
                        pk,
                        pk,
                        channel,
                        encrypt(address),
                        blind_index(indexed, channel),
                        now,
                        1,
                        "",
                        0,
                        now,
                    )
                )
                home = member.sites[0] if member.sites else None
                memberships.append((pk, pk, member.organization, int(Role.MEMBER), home, True, now))
                for site in member.sites:
                    subscriptions.append(
                        (
                            next_subscription,
                            secrets.token_hex(6),
                            pk,
                            member.organization,
                            site,
                            None,
                            None,
                            None,
                            ALL_ALERT_KINDS,
                            now,
                        )
                    )
                    next_subscription += 1
                if member.area is not None:
                    area = member.area
                    subscriptions.append(
                        (
                            next_subscription,
                            secrets.token_hex(6),
                            pk,
                            member.organization,
                            None,
                            f"{area.lat:.6f}",
                            f"{area.lng:.6f}",
                            area.radius_m,
                            ALL_ALERT_KINDS,
                            now,
                        )
                    )
                    cells.extend((next_subscription, cell) for cell in area.cells)
                    next_subscription += 1
            with transaction.atomic():
                cursor.executemany(people_sql, people)
                cursor.executemany(contacts_sql, contacts)
                cursor.executemany(memberships_sql, memberships)
                cursor.executemany(subscriptions_sql, subscriptions)
                if cells:
                    cursor.executemany(cells_sql, cells)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            models = [Person, ContactPoint, Membership, Subscription, SubscriptionCell]
            for reset in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(reset)


# --- A city-shaped population -------------------------------------------------------------

# The Twin Cities metro (Minneapolis, St Paul and their suburbs), south-west to north-east.
METRO = ((44.70, -93.75), (45.25, -92.85))
# Downtown Minneapolis and downtown St Paul: where sites cluster.
CENTRES = ((44.9778, -93.2650, 0.30), (44.9537, -93.0900, 0.20))
CITY_SITES = 2_000
CITY_RADIUS_M = 3_000  # a wide alert: every site within 3 km of the hospital
SITE_KINDS = (
    (Site.Kind.HOSPITAL, 0.05),
    (Site.Kind.CLINIC, 0.10),
    (Site.Kind.SCHOOL, 0.35),
    (Site.Kind.TRANSIT, 0.10),
    (Site.Kind.WORKPLACE, 0.40),
)
# (name, slug, kind, shares the alerting organization's alerts, weight among its audience)
ORGANIZATIONS = (
    ("Benchmark Nurses Association", "bench", Organization.Kind.UNION, True, 0.50),
    ("Metro Teachers Local", "bench-teachers", Organization.Kind.LOCAL, True, 0.30),
    ("Southside Community Defense", "bench-defense", Organization.Kind.COMMUNITY, True, 0.20),
    ("Transit Workers Union", "bench-transit", Organization.Kind.UNION, False, 0.0),
    ("Hotel and Food Workers", "bench-hotel", Organization.Kind.UNION, False, 0.0),
    ("Twin Cities Labor Council", "bench-council", Organization.Kind.COALITION, False, 0.0),
)
# Members' languages: English, Spanish, Somali (what a Minneapolis local's roll looks like,
# an assumption of the benchmark's, not a census).
LANGUAGE_MIX = (("en", 0.62), ("es", 0.26), ("so", 0.12))
AREA_SHARE = 0.15  # of people, follow an area (a point and a radius) rather than sites
BACKGROUND_SHARE = 0.20  # people outside the alert's audience, per person in it
AREA_TEMPLATES = 100  # distinct followed areas of each kind (in the audience, outside it)
AREA_RADII_M = (500, 1_000, 2_000)
SEED = 1923


@dataclass(frozen=True)
class CityPopulation:
    """What populate_city made: the alerting organization, the alert's audience (its spec
    for create_alert), where it is, and the population's shape."""

    organization: Organization
    audience: dict
    where: str
    shape: dict


def weighted(rng: random.Random, choices: tuple[tuple[object, float], ...]):
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def city_sites(rng: random.Random) -> list[Site]:
    """Return CITY_SITES unsaved sites over the metro, half clustered downtown, the first
    one Hennepin County Medical Center."""
    (south, west), (north, east) = METRO
    sites = [Site(kind=Site.Kind.HOSPITAL, **SITE)]
    while len(sites) < CITY_SITES:
        centre = rng.random()
        for lat, lng, share in CENTRES:
            if centre < share:
                point = (rng.gauss(lat, 0.03), rng.gauss(lng, 0.04))
                break
            centre -= share
        else:
            point = (rng.uniform(south, north), rng.uniform(west, east))
        if not (south <= point[0] <= north and west <= point[1] <= east):
            continue
        kind = weighted(rng, SITE_KINDS)
        sites.append(
            Site(
                kind=kind,
                name=f"Benchmark {kind} {len(sites)}",
                lat=Decimal(f"{point[0]:.6f}"),
                lng=Decimal(f"{point[1]:.6f}"),
            )
        )
    for site in sites:
        site.lat, site.lng = Decimal(str(site.lat)), Decimal(str(site.lng))
        site.h3_cell = geo.cell_for(site.lat, site.lng)
    return sites


def populate_city(recipients: int, pool: PushPool | None) -> CityPopulation:
    """Create a metro of sites and organizations, `recipients` people whom one alert at
    Hennepin County Medical Center (radius CITY_RADIUS_M) reaches, and people it does not.

    The audience: people of the alerting organization and of the two that it shares its
    alerts with, following one to three sites, the first within the radius (85 %), or an
    area that covers one such site (15 %). Outside it (BACKGROUND_SHARE as many again):
    people of the three other organizations following any sites (the hospital among them:
    their organizations do not share), and people of the audience's organizations
    following only sites and areas that the alert does not touch. Channels are taken in
    turn, as in populate(); languages by LANGUAGE_MIX.
    """
    rng = random.Random(SEED)
    organizations = [
        Organization.objects.create(name=name, slug=slug, kind=kind)
        for name, slug, kind, _shares, _weight in ORGANIZATIONS
    ]
    alerting = organizations[0]
    shared = [o for o, spec in zip(organizations, ORGANIZATIONS, strict=True) if spec[3]]
    partners = shared[1:]
    outsiders = [o for o in organizations if o not in shared]
    for partner in partners:
        SharingAgreement.objects.create(organization=alerting, partner=partner, alerts=True)
    SharingAgreement.objects.create(organization=outsiders[0], partner=outsiders[1])
    sites = Site.objects.bulk_create(city_sites(rng))
    present = Site.organizations.through
    present.objects.bulk_create(
        present(site_id=site.pk, organization_id=organization.pk)
        for site in sites
        for organization in {alerting, *rng.sample(organizations, rng.randint(1, 2))}
    )
    hospital = sites[0]
    reached_cells = set(geo.res9_cells_within(hospital.lat, hospital.lng, CITY_RADIUS_M))
    inside = [s for s in sites if s.pk == hospital.pk or s.h3_cell in reached_cells]
    outside = [s for s in sites if s not in inside]
    covering = {
        ancestor
        for lat, lng in [(s.lat, s.lng) for s in inside] + [(hospital.lat, hospital.lng)]
        for ancestor in geo.ancestors(geo.cell_for(lat, lng))
    }
    areas_in: list[Area] = []
    areas_out: list[Area] = []
    while len(areas_in) < AREA_TEMPLATES or len(areas_out) < AREA_TEMPLATES:
        centre = rng.choice(sites)
        radius = rng.choice(AREA_RADII_M)
        area = Area(
            float(centre.lat),
            float(centre.lng),
            radius,
            tuple(geo.cells_within(centre.lat, centre.lng, radius)),
        )
        touched = not covering.isdisjoint(area.cells)
        if touched and centre in inside and len(areas_in) < AREA_TEMPLATES:
            areas_in.append(area)
        elif not touched and len(areas_out) < AREA_TEMPLATES:
            areas_out.append(area)
    shares = [spec for spec in ORGANIZATIONS if spec[3]]
    weights = tuple((o.pk, spec[4]) for o, spec in zip(shared, shares, strict=True))
    all_pks = [s.pk for s in sites]
    inside_pks = [s.pk for s in inside]
    outside_pks = [s.pk for s in outside]
    background = int(recipients * BACKGROUND_SHARE)

    def member(n: int, rng: random.Random) -> Member:
        language = weighted(rng, LANGUAGE_MIX)
        extra = rng.choice((0, 0, 1, 2))
        if n < recipients:  # in the audience
            organization = weighted(rng, weights)
            if rng.random() < AREA_SHARE:
                return Member(n, organization, language, (), rng.choice(areas_in))
            followed = {rng.choice(inside_pks), *rng.sample(all_pks, extra)}
            return Member(n, organization, language, tuple(followed))
        if n % 2:  # an organization the alert does not reach: any sites
            organization = rng.choice(outsiders).pk
            return Member(n, organization, language, tuple({*rng.sample(all_pks, extra + 1)}))
        organization = weighted(rng, weights)
        if rng.random() < AREA_SHARE:
            return Member(n, organization, language, (), rng.choice(areas_out))
        return Member(n, organization, language, tuple(rng.sample(outside_pks, extra + 1)))

    def members(first: int, last: int) -> list[Member]:
        rng = random.Random(f"{SEED}:{first}")
        return [member(n, rng) for n in range(first, last)]

    insert_members(recipients + background, members, pool)
    return CityPopulation(
        organization=alerting,
        audience={
            "sites": [hospital.code],
            "points": [[float(hospital.lat), float(hospital.lng), CITY_RADIUS_M]],
            "shared_organization_ids": [partner.pk for partner in partners],
        },
        where=hospital.name,
        shape={
            "sites": len(sites),
            "sites_in_radius": len(inside),
            "organizations": len(organizations),
            "people": recipients + background,
        },
    )


def audience_shape(deliveries) -> dict:
    """Return how the people an alert reached are spread: over how many sites they follow,
    how many follow an area, their organizations and their languages (from the database)."""
    people = deliveries.values("person_id")
    followed = Subscription.objects.filter(person_id__in=people)
    return {
        "audience_sites_followed": followed.filter(site__isnull=False)
        .values("site_id")
        .distinct()
        .count(),
        "audience_area_followers": followed.filter(site__isnull=True)
        .values("person_id")
        .distinct()
        .count(),
        "audience_organizations": Membership.objects.filter(person_id__in=people)
        .values("organization_id")
        .distinct()
        .count(),
        "audience_languages": dict(
            Person.objects.filter(pk__in=people)
            .values_list("language")
            .annotate(n=Count("id"))
            .order_by()
        ),
    }
