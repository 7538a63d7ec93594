"""`tocsin bench audience --subscribers N`: how long resolving an alert's audience takes in
a city of N subscribers, beside the raw indexed lookup of the same places.

The city (tocsin/bench/city.py): 2,000 sites, 90% of the subscribers following a site and
10% an area, four organizations, a few responders. The measuring happens in a child
(`tocsin bench audience-run`) whose environment names a fresh database (stores.py): a new
SQLite file, or `tocsin_bench_<random>` on the PostgreSQL server given, dropped at the end.
On PostgreSQL the tables are ANALYZEd after the set-up, as autovacuum would; SQLite is left
without statistics, as Tocsin runs it.

Then N alerts, verified, of 1 km, half at a random site (site and point named) and half at
a random point, each with the responders of the organization (as a broadcast's audience
is), each resolved by the app in three ways, each timed:
- `resolve`: `audience_size(alert)`, what the broadcast form shows;
- `planned`: the count of `planned_deliveries`, what the preview counts;
- `record`: `record_deliveries`, the INSERT … SELECT of the fan-out (rolled back after);
and `raw`: the hand-written SQL of the same lookups, given the site ids and covering cells
the app computed (the ceiling: no h3, no ORM), before the app's three for half the alerts
and after them for the other half, so that neither finds the other's pages cached more
often. The app's and the raw lookup's people must
be the same number, and the rows recorded the number the preview planned; any difference
stops the run.
"""

import math
import random
import time

from django.core.management import call_command
from django.db import connection, transaction

from tocsin.accounts.models import Membership, Person, Site, Subscription, SubscriptionCell
from tocsin.accounts.roles import Role
from tocsin.core import geo
from tocsin.delivery.audience import (
    audience_size,
    planned_deliveries,
    record_deliveries,
    serial_plans,
)
from tocsin.delivery.kinds import kind_of
from tocsin.delivery.models import Alert

from .city import city
from .stores import fresh_stores, measuring_command, peak_rss_mb, run_child

CHILD_MARGIN_SECONDS = 15
RADIUS_M = 1000


def run_audience(
    subscribers: int,
    alerts: int,
    sites: int = 2000,
    database_url: str | None = None,
    timeout: float = 1200,
) -> dict:
    """Run the benchmark and return its JSON fields."""
    with fresh_stores(database_url) as stores:
        command = measuring_command(
            "audience-run",
            timeout,
            CHILD_MARGIN_SECONDS,
            subscribers=subscribers,
            alerts=alerts,
            sites=sites,
        )
        result = run_child(command, stores.child_environment(), timeout)
    return {**result, "peak_rss_mb": peak_rss_mb(), "database": stores.vendor}


def percentiles(values: list[float]) -> dict:
    """Return p50, p95 and p99 (nearest rank) of seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None}

    def rank(fraction: float) -> float:
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        name: round(rank(f) * 1000, 1) for name, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    }


def raw_lookup(alert, site_ids: list[int], covering: list[int]) -> tuple[str, list]:
    """Return hand-written SQL counting the same people: site followers by site id, area
    followers by cell, role holders by organization and role, each an indexed lookup.
    (`organization_id + 0` keeps a planner without statistics from reading every
    subscription of the organization instead: decision 0025.)"""

    # Table names and placeholders only are formatted in; every value is a parameter.

    spec = alert.audience
    organizations = [alert.organization_id]
    kinds = int(kind_of(alert.kind).subscriptions)
    roles = int(spec["roles"])

    def listed(values: list[int]) -> str:
        return ", ".join(["%s"] * len(values))

    parts, params = [], []
    subscriptions = Subscription._meta.db_table
    if site_ids:
        parts.append(
            f"SELECT person_id FROM {subscriptions} WHERE site_id IN ({listed(site_ids)})"  # noqa: S608
            f" AND organization_id + 0 IN ({listed(organizations)}) AND (kinds & %s) > 0"
        )
        params += [*site_ids, *organizations, kinds]
    parts.append(
        f"SELECT s.person_id FROM {SubscriptionCell._meta.db_table} c"  # noqa: S608
        f" JOIN {subscriptions} s ON s.id = c.subscription_id"
        f" WHERE c.cell IN ({listed(covering)})"
        f" AND s.organization_id + 0 IN ({listed(organizations)})"
        " AND (s.kinds & %s) > 0"
    )
    params += [*covering, *organizations, kinds]
    parts.append(
        f"SELECT person_id FROM {Membership._meta.db_table}"  # noqa: S608
        f" WHERE organization_id IN ({listed(organizations)}) AND roles >= %s"
        " AND (roles & %s) > 0 AND active = %s"
    )
    params += [*organizations, roles & -roles, roles, True]
    union = " UNION ".join(parts)
    sql = (
        f"SELECT COUNT(*) FROM {Person._meta.db_table}"  # noqa: S608
        f" WHERE is_active = %s AND id IN ({union})"
    )
    return sql, [True, *params]


def places_of(alert) -> tuple[list[int], list[int]]:
    """Return the site ids and covering cells of an alert's sites and points, as the app
    computes them."""

    spec = alert.audience
    near = set()
    for lat, lng, radius in spec.get("points", []):
        near.update(geo.res9_cells_within(lat, lng, radius))
    found = dict(
        Site.objects.filter(code__in=spec.get("sites", [])).values_list("pk", "h3_cell")
    ) | dict(Site.objects.filter(h3_cell__in=sorted(near)).values_list("pk", "h3_cell"))
    cells = [*found.values(), *(geo.cell_for(lat, lng) for lat, lng, _r in spec["points"])]
    covering = sorted({ancestor for cell in cells for ancestor in geo.ancestors(cell)})
    return sorted(found), covering


def measure_audience(options: dict) -> dict:
    """Run the benchmark against this process's database; return the JSON fields."""

    started = time.monotonic()
    deadline = started + options["timeout"]
    call_command("migrate", verbosity=0)
    subscribers = options["subscribers"]
    area_followers = subscribers // 10
    town = city(
        sites=options["sites"],
        site_followers=subscribers - area_followers,
        area_followers=area_followers,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    set_up_seconds = time.monotonic() - started
    rng = random.Random(1)
    timings: dict[str, list[float]] = {"resolve": [], "planned": [], "record": [], "raw": []}
    audience_sizes = []
    responders = int(Role.RESPONDER | Role.LEGAL_OBSERVER | Role.LEGAL_VAN | Role.VERIFIER)

    def raw_count(alert) -> int:
        raw_sql, raw_params = raw_lookup(alert, *places_of(alert))
        begin = time.perf_counter()
        with serial_plans(), connection.cursor() as cursor:
            cursor.execute(raw_sql, raw_params)
            (raw,) = cursor.fetchone()
        timings["raw"].append(time.perf_counter() - begin)
        return raw

    for n in range(options["alerts"]):
        if time.monotonic() > deadline:
            break
        organization = town.organizations[n % len(town.organizations)]
        if n % 2 == 0:
            site = rng.choice(town.sites[n % len(town.organizations) :: len(town.organizations)])
            spec = {"sites": [site.code], "points": [[site.lat, site.lng, RADIUS_M]]}
        else:
            lat, lng = town.random_point(rng)
            spec = {"points": [[lat, lng, RADIUS_M]]}
        spec["roles"] = responders
        alert = Alert.objects.create(
            organization=organization, kind=Alert.Kind.VERIFIED, audience=spec
        )

        # The first lookup of a place reads pages the next finds cached: the raw lookup goes
        # first for half the alerts (of each shape), the app for the other half.
        raw_first = (n // 2) % 2 == 1
        if raw_first:
            raw = raw_count(alert)
        begin = time.perf_counter()
        people = audience_size(alert)
        timings["resolve"].append(time.perf_counter() - begin)

        begin = time.perf_counter()
        planned_sql, planned_params = planned_deliveries(alert)
        with serial_plans(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({planned_sql}) AS planned",  # noqa: S608
                planned_params,
            )
            (planned,) = cursor.fetchone()
        timings["planned"].append(time.perf_counter() - begin)

        with transaction.atomic():
            begin = time.perf_counter()
            recorded_people = record_deliveries(alert)
            timings["record"].append(time.perf_counter() - begin)
            recorded = alert.deliveries.count()
            transaction.set_rollback(True)

        if not raw_first:
            raw = raw_count(alert)

        if not people == recorded_people == raw or planned != recorded:
            raise AssertionError(
                f"alert {n}: app {people}, recorded {recorded_people}, raw {raw}; "
                f"planned {planned} deliveries, recorded {recorded}"
            )
        audience_sizes.append(people)
    return {
        "benchmark": "audience",
        "subscribers": subscribers,
        "sites": options["sites"],
        "people": town.people,
        "alerts": len(audience_sizes),
        "radius_m": RADIUS_M,
        "complete": len(audience_sizes) == options["alerts"],
        "audience": {
            "min": min(audience_sizes, default=None),
            "p50": sorted(audience_sizes)[len(audience_sizes) // 2] if audience_sizes else None,
            "max": max(audience_sizes, default=None),
        },
        **{f"{name}_ms": percentiles(values) for name, values in timings.items()},
        "counts_agree": True,
        "set_up_s": round(set_up_seconds, 1),
    }
