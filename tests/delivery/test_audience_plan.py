"""The plan the database really chooses for an alert's audience: lookups by index only.

A city of 20,000 subscribers (tocsin/bench/city.py) is big enough for the planner to prefer
indexes; PostgreSQL gets its statistics (ANALYZE, as autovacuum would), SQLite none, as
Tocsin runs it. The exact SQL that resolves, plans and records an alert naming every kind
of audience is EXPLAINed, and no step may read the whole subscriptions or people table
(SQLite: SCAN; PostgreSQL: Seq Scan), nor every subscription or membership of an
organization (a search by the organization's index alone, which is how SQLite read them).
"""

import json
import re

import pytest
from django.db import connection

from tocsin.accounts.models import Membership, Person, Subscription
from tocsin.accounts.roles import Role
from tocsin.bench.city import city
from tocsin.delivery.audience import audience_people, planned_deliveries, recording, serial_plans
from tocsin.delivery.models import Alert

WHOLE_TABLES = {Subscription._meta.db_table, Person._meta.db_table}
BY_ORGANIZATION = {Subscription._meta.db_table, Membership._meta.db_table}


@pytest.fixture
def town(db):
    town = city(sites=200, site_followers=18_000, area_followers=2_000, organizations=2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return town


def alert_naming_everything(town) -> Alert:
    """A verified alert at a site and a point, with role holders, people named one by one,
    an earlier alert's recipients and a sharing organization's followers."""
    organization, partner = town.organizations
    site = town.sites[0]
    earlier = Alert.objects.create(organization=organization, kind=Alert.Kind.VERIFIED)
    return Alert.objects.create(
        organization=organization,
        kind=Alert.Kind.VERIFIED,
        audience={
            "sites": [site.code],
            "points": [[site.lat, site.lng, 1000], [site.lat + 0.01, site.lng, 1000]],
            "roles": int(Role.RESPONDER | Role.LEGAL_OBSERVER),
            "shared_organization_ids": [partner.pk],
            "person_ids": list(Person.objects.order_by("pk").values_list("pk", flat=True)[:3]),
            "people_of_alerts": [earlier.pk],
        },
    )


def statements(alert: Alert) -> dict[str, tuple[str, list]]:
    return {
        "audience_people": audience_people(alert).values("pk").query.sql_with_params(),
        "planned_deliveries": planned_deliveries(alert),
        "recording": recording(alert),
    }


def whole_table_reads_sqlite(sql: str, params) -> list[str]:
    # Django names tables in subqueries by alias ("accounts_person" U0): SQLite's plan
    # says SCAN U0, so the aliases of a table count as the table.
    names = {table: table for table in WHOLE_TABLES | BY_ORGANIZATION}
    for table, alias in re.findall(r'"(\w+)"\s+(?:AS\s+)?"?([UTVW]\d+)\b', sql):
        if table in names:
            names[alias] = table
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        details = [row[-1] for row in cursor.fetchall()]
    found = []
    for detail in details:
        match = re.match(r"(SCAN|SEARCH) (\w+)", detail)
        table = names.get(match.group(2)) if match else None
        if table is None:
            continue
        whole = match.group(1) == "SCAN" and table in WHOLE_TABLES
        by_organization = table in BY_ORGANIZATION and detail.endswith("(organization_id=?)")
        if whole or by_organization:
            found.append(f"{detail} [{table}]")
    return found


def whole_table_reads_postgres(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    (plan,) = json.loads(document) if isinstance(document, str) else document
    found = []
    nodes = [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        table = node.get("Relation Name")
        if node["Node Type"] == "Seq Scan" and table in WHOLE_TABLES:
            found.append(f"Seq Scan on {table}")
        index = node.get("Index Name", "")
        if table in BY_ORGANIZATION and index.startswith(f"{table}_organization_id"):
            found.append(f"{node['Node Type']} on {table} by {index}")
        nodes.extend(node.get("Plans", []))
    return found


def full_scans(town) -> dict[str, list[str]]:
    alert = alert_naming_everything(town)
    reads = (
        whole_table_reads_postgres
        if connection.vendor == "postgresql"
        else whole_table_reads_sqlite
    )
    return {name: reads(sql, params) for name, (sql, params) in statements(alert).items()}


NONE = {"audience_people": [], "planned_deliveries": [], "recording": []}


def test_it_resolves_plans_and_records_an_alert_without_reading_every_subscriber(db, request):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL plan is the next test's")
    town = request.getfixturevalue("town")

    assert full_scans(town) == NONE


@pytest.mark.postgres
def test_postgresql_resolves_plans_and_records_it_without_a_seq_scan_of_them(town):
    assert full_scans(town) == NONE


def gathers(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    (plan,) = json.loads(document) if isinstance(document, str) else document
    found, nodes = [], [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        if node["Node Type"].startswith("Gather"):
            found.append(node["Node Type"])
        nodes.extend(node.get("Plans", []))
    return found


@pytest.mark.postgres
def test_postgresql_resolves_an_audience_without_parallel_workers(town):
    """On two cores, starting and waiting for parallel workers cost an audience lookup more
    than they save (decision 0025): the lookups run in `serial_plans`. Here parallel plans
    are made free for the session, so the planner would choose them if let."""
    alert = alert_naming_everything(town)
    with connection.cursor() as cursor:
        for setting in (
            "parallel_setup_cost = 0",
            "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0",
            "min_parallel_index_scan_size = 0",
        ):
            cursor.execute(f"SET {setting}")
    try:
        assert any(gathers(sql, params) for sql, params in statements(alert).values())
        with serial_plans():
            assert {
                name: gathers(sql, params) for name, (sql, params) in statements(alert).items()
            } == NONE
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ALL")
