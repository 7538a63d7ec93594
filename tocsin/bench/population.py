"""Build the benchmark's population: one organization, one site, N followers of the site.

Each person has one confirmed contact, the channels taken in turn (email, Signal, SMS, web
push; or those given), follows the site for every kind of alert and is an active member.
Rows go in with one executemany per table and batch, not through the ORM: the population
is the set-up, not what is measured. Addresses are encrypted and blind-indexed exactly as
tocsin.accounts.services.people stores them.
"""

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tocsin.accounts.models import (
    ALL_ALERT_KINDS,
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
)
from tocsin.accounts.roles import Role
from tocsin.core.crypto import blind_index, encrypt

CHANNELS = ("email", "signal", "sms", "push")
BATCH = 10_000
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
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sqlite = connection.vendor == "sqlite"
    start = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def people(first: int, last: int) -> Iterator[tuple]:
        for n in range(first, last):
            public_id = uuid.uuid4()
            yield (
                start + n,
                "!",
                public_id.hex if sqlite else public_id,
                f"Member {n}",
                "es" if n % 5 == 0 else "en",
                True,
                False,
                now,
            )

    def contacts(first: int, last: int) -> Iterator[tuple]:
        for n in range(first, last):
            channel = channel_of(n, channels)
            address, indexed = address_of(n, channel, pool)
            yield (
                start + n,
                start + n,
                channel,
                encrypt(address),
                blind_index(indexed, channel),
                now,
                1,
                "",
                0,
                now,
            )

    def memberships(first: int, last: int) -> Iterator[tuple]:
        for n in range(first, last):
            yield (start + n, start + n, organization.pk, int(Role.MEMBER), site.pk, True, now)

    def subscriptions(first: int, last: int) -> Iterator[tuple]:
        for n in range(first, last):
            yield (
                start + n,
                secrets.token_hex(6),
                start + n,
                organization.pk,
                site.pk,
                ALL_ALERT_KINDS,
                now,
            )

    tables = [
        (
            Person,
            "id, password, public_id, display_name, language, is_active, is_superuser, created_at",
            people,
        ),
        (
            ContactPoint,
            "id, person_id, channel, address, address_index, confirmed_at, "
            "preference, code_hash, code_attempts, created_at",
            contacts,
        ),
        (
            Membership,
            "id, person_id, organization_id, roles, site_id, active, joined_at",
            memberships,
        ),
        (
            Subscription,
            "id, code, person_id, organization_id, site_id, kinds, created_at",
            subscriptions,
        ),
    ]
    with connection.cursor() as cursor:
        for model, columns, rows in tables:
            placeholders = ", ".join(["%s"] * len(columns.split(",")))
            sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            for first in range(0, recipients, BATCH):
                with transaction.atomic():
                    cursor.executemany(sql, list(rows(first, min(recipients, first + BATCH))))
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            models = [Person, ContactPoint, Membership, Subscription]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    return organization, site
