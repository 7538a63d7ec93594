"""Resolve an alert's audience into deliveries, inside the database.

The audience is a set of people: subscribers of the sites named and of sites near the
points named, people whose followed areas cover those places (in the alert's organization,
the organizations named, and the organizations it shares alerts with), holders of the roles
named, members of the organizations named, people named one by one, and the people an
earlier alert reached (so that an all-clear goes to exactly those who heard the alarm). For each person the delivery goes to their first
confirmed contact by preference; web push goes as well where they have a push subscription.
Recording is one INSERT … SELECT that skips rows already there, so running it twice is safe;
each row is held for the job the fan-out enqueues next (leases.py). The broadcast preview
counts the same rows before anything is sent (preview()).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
    SubscriptionCell,
)
from tocsin.accounts.roles import Role, has_role
from tocsin.core import geo

from .kinds import kind_of
from .models import Alert, Delivery

DEFAULT_SITE_RADIUS_M = 1000


def audience_people(alert: Alert) -> QuerySet[Person]:
    """Return the active people an alert reaches (a lazy query, resolved in the database).

    The audience is one UNION of lookups, each answered by an index (decision 0025): site
    followers by site, area followers by the cells covering the places, role holders and
    members by organization, people named by primary key, an earlier alert's recipients by
    alert. The people are then fetched by primary key: nothing reads every person or
    every subscription.
    """
    lookups = audience_lookups(alert)
    if not lookups:
        return Person.objects.filter(pk__in=[])
    union = lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]
    return Person.objects.filter(pk__in=union, is_active=True)


def audience_lookups(alert: Alert) -> list[QuerySet]:
    """Return one query of person ids per part of the alert's audience that it names."""
    spec = alert.audience or {}
    organization_ids = [alert.organization_id, *spec.get("organization_ids", [])]
    followed_in = [*organization_ids, *spec.get("shared_organization_ids", [])]
    lookups: list[QuerySet] = []
    # The follows that want this kind (kinds.py); none for a kind that goes only to the
    # roles, organizations and people named.
    kinds = int(kind_of(alert.kind).subscriptions)
    site_codes = list(spec.get("sites", []))
    points = [tuple(point) for point in spec.get("points", [])]
    if kinds and (site_codes or points):
        near = Q(code__in=site_codes)
        for lat, lng, radius_m in points:
            near |= Q(
                h3_cell__in=geo.res9_cells_within(lat, lng, radius_m or DEFAULT_SITE_RADIUS_M)
            )
        sites = dict(Site.objects.filter(near).values_list("pk", "h3_cell"))
        cells = [*sites.values(), *(geo.cell_for(lat, lng) for lat, lng, _radius in points)]
        covering = sorted({ancestor for cell in cells for ancestor in geo.ancestors(cell)})
        # Subscriptions are found by site or by cell, and only then kept or not by
        # organization: `organization_id + 0` is not an indexed column, so that no planner
        # (SQLite has no statistics) reads every follower of the organization instead.
        subscriptions = (
            Subscription.objects.alias(organization_key=F("organization_id") + 0)
            .filter(organization_key__in=followed_in)
            .alias(wanted=F("kinds").bitand(kinds))
            .filter(wanted__gt=0)
        )
        if sites:
            lookups.append(subscriptions.filter(site_id__in=sorted(sites)).values("person_id"))
        # Area followers are found from the cells, then their subscriptions by primary key:
        # asked as "subscriptions whose id is among these cells'", PostgreSQL at a million
        # subscriptions scanned every subscription and probed the cells for each.
        lookups.append(
            SubscriptionCell.objects.filter(cell__in=covering)
            .alias(
                organization_key=F("subscription__organization_id") + 0,
                wanted=F("subscription__kinds").bitand(kinds),
            )
            .filter(organization_key__in=followed_in, wanted__gt=0)
            .values("subscription__person_id")
        )
    roles = Role(spec.get("roles", 0))
    if roles:
        # Whoever holds one of these bits holds at least the lowest of them: a range on the
        # (organization, roles) index, so only role holders are read, not every member.
        lowest = int(roles) & -int(roles)
        lookups.append(
            Membership.objects.filter(
                has_role(roles),
                organization_id__in=organization_ids,
                roles__gte=lowest,
                active=True,
            ).values("person_id")
        )
    if spec.get("whole_organizations"):
        lookups.append(
            Membership.objects.filter(organization_id__in=organization_ids, active=True).values(
                "person_id"
            )
        )
    named = [int(pk) for pk in spec.get("person_ids", [])]
    if named:
        lookups.append(Person.objects.filter(pk__in=named).values("pk"))
    if spec.get("people_of_alerts"):
        lookups.append(
            Delivery.objects.filter(alert_id__in=spec["people_of_alerts"]).values("person_id")
        )
    return [lookup.order_by() for lookup in lookups]


def planned_deliveries(alert: Alert) -> tuple[str, list]:
    """Return the SQL (and its parameters) of the deliveries sending the alert records:
    rows of (person_id, channel, contact_id). The fan-out inserts exactly these rows, and the
    broadcast preview counts them, so the two cannot disagree."""
    people_sql, people_params = audience_people(alert).values("pk").query.sql_with_params()
    contacts = ContactPoint._meta.db_table
    push = ContactPoint.Channel.PUSH
    # One row per person for their first confirmed non-push contact not opted out (STOP), plus their newest push
    # subscription. ROW_NUMBER works on SQLite (3.25+) and PostgreSQL alike.
    ranked = f"""
        SELECT id, person_id, channel,
               ROW_NUMBER() OVER (
                   PARTITION BY person_id, channel = %s
                   ORDER BY CASE WHEN channel = %s THEN -id ELSE preference END, id
               ) AS choice_order
        FROM {contacts}
        WHERE confirmed_at IS NOT NULL AND opted_out_at IS NULL
              AND person_id IN ({people_sql})
    """  # noqa: S608
    sql = f"""
        SELECT person_id, channel, id AS contact_id
        FROM ({ranked}) AS ranked
        WHERE choice_order = 1
    """  # noqa: S608
    return sql, [push, push, *people_params]


def recording(alert: Alert) -> tuple[str, list]:
    """Return the INSERT … SELECT (and its parameters) that records the alert's planned
    deliveries not recorded yet, each held for the job the fan-out enqueues next."""
    planned_sql, planned_params = planned_deliveries(alert)
    now = timezone.now()
    fallback_at = now + timedelta(seconds=settings.TOCSIN_FALLBACK_SECONDS)
    held_until = now + timedelta(seconds=settings.TOCSIN_DELIVERY_HOLD_SECONDS)
    table = Delivery._meta.db_table
    push = ContactPoint.Channel.PUSH
    sql = f"""
        INSERT INTO {table}
            (alert_id, person_id, channel, contact_id, status, reason, attempts, created_at,
             fallback_at, claimed_until)
        SELECT %s, person_id, channel, contact_id, %s, '', 0, %s,
               CASE WHEN channel = %s THEN NULL ELSE %s END, %s
        FROM ({planned_sql}) AS planned
        WHERE true  -- SQLite reads an ON right after FROM as a join's
        ON CONFLICT (alert_id, person_id, channel) DO NOTHING
    """  # noqa: S608
    params = [
        alert.pk,
        Delivery.Status.QUEUED,
        now,
        push,
        fallback_at,
        held_until,
        *planned_params,
    ]
    return sql, params


@contextmanager
def serial_plans() -> Iterator[None]:
    """On PostgreSQL, run what is inside in one transaction whose statements are planned
    without parallel workers (`SET LOCAL`, so it holds behind a transaction-mode pooler too).

    An audience is a few thousand rows found through indexes. PostgreSQL plans the union
    over a million subscribers as a Gather of two workers; on a server of two cores, whose
    other work is the requests and the sending, starting and waiting for them cost more
    than they save once the cores are busy: at a million subscribers, with the test suite
    running beside it, p50 52 ms without them against 93 ms with them (decision 0025).

    On SQLite it does nothing: a transaction there takes the one write lock (Tocsin's
    transactions are IMMEDIATE), and a count that only reads must not wait for a writer."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def audience_size(alert: Alert) -> int:
    """Return how many people the alert reaches."""
    with serial_plans():
        return audience_people(alert).count()


def record_deliveries(alert: Alert) -> int:
    """Create the alert's deliveries (those not there yet) and return its audience size."""
    sql, params = recording(alert)
    with transaction.atomic(), serial_plans(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return audience_size(alert)


@dataclass(frozen=True)
class Preview:
    """Who an alert would reach, counted before it is sent, by the fan-out's own queries."""

    people: int
    # (organization, people): the alert's organization, then the others named or sharing
    # alerts with it; each person counted once, in the first of these they are a member of.
    by_organization: list[tuple[Organization, int]]
    # People reached who are members of none of those (named one by one, say).
    other_people: int
    by_language: dict[str, int]
    # Messages per channel: what the channels' servers will receive.
    by_channel: dict[str, int]
    # People in the audience with no confirmed contact: nothing reaches them.
    unreachable: int


def preview(alert: Alert) -> Preview:
    """Count the people and messages of a draft (or unsaved) alert, without sending it."""
    with serial_plans():
        return counted_preview(alert)


def counted_preview(alert: Alert) -> Preview:
    people = audience_people(alert)
    total = people.count()
    spec = alert.audience or {}
    organization_ids = [
        alert.organization_id,
        *spec.get("organization_ids", []),
        *spec.get("shared_organization_ids", []),
    ]
    organizations = Organization.objects.in_bulk(organization_ids)
    by_organization: list[tuple[Organization, int]] = []
    counted: list[int] = []
    for organization_id in dict.fromkeys(organization_ids):
        if organization_id not in organizations:
            continue
        members = Membership.objects.filter(organization_id=organization_id, active=True)
        earlier = Membership.objects.filter(organization_id__in=counted, active=True)
        count = (
            people.filter(pk__in=members.values("person_id"))
            .exclude(pk__in=earlier.values("person_id"))
            .count()
        )
        by_organization.append((organizations[organization_id], count))
        counted.append(organization_id)
    by_language = {
        row["language"]: row["count"]
        for row in people.order_by().values("language").annotate(count=Count("pk"))
    }
    planned_sql, planned_params = planned_deliveries(alert)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT channel, COUNT(*) FROM ({planned_sql}) AS planned GROUP BY channel",  # noqa: S608
            planned_params,
        )
        by_channel = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT COUNT(DISTINCT person_id) FROM ({planned_sql}) AS planned",  # noqa: S608
            planned_params,
        )
        reached = cursor.fetchone()[0]
    return Preview(
        people=total,
        by_organization=by_organization,
        other_people=total - sum(count for _organization, count in by_organization),
        by_language=dict(sorted(by_language.items())),
        by_channel=dict(sorted(by_channel.items())),
        unreachable=total - reached,
    )
