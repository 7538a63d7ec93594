"""Build a city-shaped population: thousands of sites, their followers, area followers,
several organizations.

`city(...)` takes the sizes and returns what a benchmark needs to aim alerts (the
organizations, the sites and the city's bounds), so that any benchmark can share it (the
audience lookup's, decision 0025; the fan-out's could). The city is the Twin Cities' box.
Each organization is present at its share of the sites (site i at organization i mod k);
each person is an active member of one organization, holds one confirmed contact (email,
Signal and SMS in turn) and follows either one of their organization's sites or an area (a
point at a resolution-9 cell's centre and a radius of 500 m, 1 km or 2 km, stored as the
compacted h3 cells tocsin.accounts.services.subscriptions stores). A few in a thousand are
responders; a few in a thousand have left (inactive). Rows go in with COPY on PostgreSQL and
executemany on SQLite, not through the ORM: the population is the set-up, not what is
measured. Addresses are encrypted and blind-indexed as tocsin.accounts.services.people does.
"""

import functools
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import h3
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from tocsin.accounts.models import (
    ALL_ALERT_KINDS,
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
    SubscriptionCell,
)
from tocsin.accounts.roles import Role
from tocsin.core import geo
from tocsin.core.crypto import blind_index, encrypt

# Minneapolis and Saint Paul: about 28 km by 40 km.
SOUTH, NORTH, WEST, EAST = 44.85, 45.10, -93.45, -92.95
AREA_RADII_M = (500, 1000, 2000)
CHANNELS = ("email", "signal", "sms")
RESPONDERS_PER_THOUSAND = 5
INACTIVE_PER_THOUSAND = 5
BATCH = 10_000


@dataclass(frozen=True)
class CitySite:
    pk: int
    code: str
    lat: float
    lng: float


@dataclass(frozen=True)
class City:
    organizations: list[Organization]
    sites: list[CitySite]
    people: int

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        return random_point(rng)


def random_point(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(SOUTH, NORTH), 6), round(rng.uniform(WEST, EAST), 6)


@functools.lru_cache(maxsize=100_000)
def area_cells(cell: int, radius_m: int) -> tuple[float, float, list[int]]:
    """Return the centre of a resolution-9 cell and the compacted cells of an area there."""
    lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
    lat, lng = round(lat, 6), round(lng, 6)
    return lat, lng, geo.cells_within(lat, lng, radius_m)


def insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert rows into a model's table: COPY on PostgreSQL, executemany on SQLite."""
    table = model._meta.db_table
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic():
                cursor.executemany(sql, batch)


def next_id(model: type[models.Model]) -> int:
    return (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def city(
    sites: int = 2000,
    site_followers: int = 900_000,
    area_followers: int = 100_000,
    organizations: int = 4,
    seed: int = 0,
) -> City:
    """Create the city's organizations, sites and people; return what aims alerts at it."""
    rng = random.Random(seed)
    suffix = uuid.uuid4().hex[:6]
    orgs = [
        Organization.objects.create(
            name=f"City Local {n + 1}", slug=f"city-{suffix}-{n + 1}", kind=Organization.Kind.UNION
        )
        for n in range(organizations)
    ]
    made = []
    for n in range(sites):
        lat, lng = random_point(rng)
        made.append(
            Site(
                kind=Site.Kind.WORKPLACE,
                name=f"City site {n + 1}",
                lat=Decimal(f"{lat:.6f}"),
                lng=Decimal(f"{lng:.6f}"),
                h3_cell=geo.cell_for(lat, lng),
            )
        )
    made = Site.objects.bulk_create(made)
    if made[0].pk is None:  # SQLite before RETURNING: read them back
        made = list(Site.objects.filter(name__startswith="City site ").order_by("pk"))
    Site.organizations.through.objects.bulk_create(
        Site.organizations.through(site_id=site.pk, organization_id=orgs[n % organizations].pk)
        for n, site in enumerate(made)
    )
    city_sites = [CitySite(s.pk, s.code, float(s.lat), float(s.lng)) for s in made]
    sites_of = [city_sites[n::organizations] for n in range(organizations)]

    people = site_followers + area_followers
    first_person = next_id(Person)
    first_subscription = next_id(Subscription)
    sqlite = connection.vendor == "sqlite"
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now) if sqlite else now

    def organization_of(n: int) -> Organization:
        return orgs[n % organizations]

    def person_rows() -> Iterator[tuple]:
        for n in range(people):
            public_id = uuid.uuid4()
            yield (
                first_person + n,
                "!",
                public_id.hex if sqlite else public_id,
                f"City member {n}",
                "es" if n % 5 == 0 else "en",
                n % 1000 >= INACTIVE_PER_THOUSAND,
                False,
                stamp,
            )

    def contact_rows() -> Iterator[tuple]:
        for n in range(people):
            channel = CHANNELS[n % len(CHANNELS)]
            address = {
                "email": f"city{n}@example.org",
                "signal": f"+1612{n:07d}",
                "sms": f"+1763{n:07d}",
            }[channel]
            yield (
                first_person + n,
                channel,
                encrypt(address),
                blind_index(address, channel),
                stamp,
                1,
                "",
                0,
                stamp,
            )

    def membership_rows() -> Iterator[tuple]:
        responder = int(Role.MEMBER | Role.RESPONDER | Role.LEGAL_OBSERVER)
        for n in range(people):
            roles = responder if rng.randrange(1000) < RESPONDERS_PER_THOUSAND else int(Role.MEMBER)
            yield (first_person + n, organization_of(n).pk, roles, True, stamp)

    areas: list[tuple[int, list[int]]] = []

    def subscription_rows() -> Iterator[tuple]:
        for n in range(people):
            organization = organization_of(n)
            row = [first_subscription + n, f"city{first_subscription + n:08x}", first_person + n]
            if n < site_followers:
                site = rng.choice(sites_of[n % organizations])
                row += [organization.pk, site.pk, None, None, None]
            else:
                radius = rng.choice(AREA_RADII_M)
                lat, lng, cells = area_cells(geo.cell_for(*random_point(rng)), radius)
                areas.append((first_subscription + n, cells))
                row += [organization.pk, None, Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}"), radius]
            if sqlite:
                row = [str(value) if isinstance(value, Decimal) else value for value in row]
            yield (*row, ALL_ALERT_KINDS, stamp)

    def cell_rows() -> Iterator[tuple]:
        for subscription_id, cells in areas:
            for cell in cells:
                yield (subscription_id, cell)

    insert(
        Person,
        [
            "id",
            "password",
            "public_id",
            "display_name",
            "language",
            "is_active",
            "is_superuser",
            "created_at",
        ],
        person_rows(),
    )
    insert(
        ContactPoint,
        [
            "person_id",
            "channel",
            "address",
            "address_index",
            "confirmed_at",
            "preference",
            "code_hash",
            "code_attempts",
            "created_at",
        ],
        contact_rows(),
    )
    insert(
        Membership,
        ["person_id", "organization_id", "roles", "active", "joined_at"],
        membership_rows(),
    )
    insert(
        Subscription,
        [
            "id",
            "code",
            "person_id",
            "organization_id",
            "site_id",
            "lat",
            "lng",
            "radius_m",
            "kinds",
            "created_at",
        ],
        subscription_rows(),
    )
    insert(SubscriptionCell, ["subscription_id", "cell"], cell_rows())
    if not sqlite:
        models_with_ids = [Person, ContactPoint, Membership, Subscription, SubscriptionCell]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                cursor.execute(statement)
    return City(organizations=orgs, sites=city_sites, people=people)
