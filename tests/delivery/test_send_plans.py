"""What sending a chunk and the sweeps ask of the database, planned as the database really
plans it: tens of thousands of deliveries queued across several alerts and chunks, as after
a fan-out, and no statistics (SQLite has none before an ANALYZE; PostgreSQL's come late
after a bulk insert). No statement may read the queued rows of other chunks: at a million
queued, one "mark sent" that read them all took 250 ms a request (issue 16)."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tocsin.bench.population import populate
from tocsin.delivery.audience import record_deliveries
from tocsin.delivery.fanout import enqueue_chunks, fallback_due, resume_stalled, send_chunk
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert

pytestmark = pytest.mark.django_db

FOLLOWERS = 12_000
ALERTS = 3
backends = pytest.mark.parametrize(
    "vendor", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture
def queue_only():
    """Jobs go to the queue and stay there (nothing consumes them), as in a long queue."""
    from huey.contrib.djhuey import HUEY

    from tocsin.delivery.lanes import queues

    HUEY.immediate = False
    for queue in queues().values():
        queue.flush()
    yield
    for queue in queues().values():
        queue.flush()
    HUEY.immediate = True


@pytest.fixture
def fanned_out(settings):
    """ALERTS alerts to the same FOLLOWERS people on email, Signal and SMS, recorded and
    held as a fan-out leaves them, past their fallback deadline as in a long queue."""
    settings.TOCSIN_SIGNAL_RATE = settings.TOCSIN_SMS_RATE = settings.TOCSIN_EMAIL_RATE = 10**5
    organization, site = populate(FOLLOWERS, None, channels=("email", "signal", "sms"))
    alerts = []
    for n in range(ALERTS):
        alert = create_alert(
            organization,
            Alert.Kind.NOTICE,
            {"what": f"Union meeting {n} moved to 6 pm", "where": "HCMC cafeteria"},
            {"sites": [site.code]},
        )
        record_deliveries(alert)
        Alert.objects.filter(pk=alert.pk).update(
            state=Alert.State.SENDING, fanned_out_at=timezone.now()
        )
        alerts.append(alert)
    Delivery.objects.update(fallback_at=timezone.now() - timedelta(minutes=1))
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == FOLLOWERS * ALERTS
    if connection.vendor == "postgresql":
        # As a table a fan-out has just filled, before autovacuum comes by: no statistics,
        # not the ones an earlier test of the suite left behind (needs a superuser, as the
        # test database's owner is here and in CI).
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM pg_statistic WHERE starelid = 'delivery_delivery'::regclass"
            )
            cursor.execute(
                "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid IN"
                " (SELECT 'delivery_delivery'::regclass UNION"
                " SELECT indexrelid FROM pg_index WHERE indrelid = 'delivery_delivery'::regclass)"
            )
    return alerts


class Statements:
    """Every statement run on the deliveries table, with its parameters."""

    def __init__(self):
        self.seen: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if "delivery_delivery" in sql and not many and sql.lstrip().startswith(("SELECT", "UP")):
            self.seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    def distinct(self):
        return list({sql: (sql, params) for sql, params in self.seen}.values())


def existence_test(sql: str) -> bool:
    """A settle's NOT EXISTS (… LIMIT 1) stops at the first queued row: it reads none."""
    return "EXISTS(" in sql and "LIMIT 1" in sql


def sqlite_reads_queued_rows(sql: str, params: tuple) -> list[str]:
    """Return the plan's steps that read the deliveries by status alone (or an alert's
    queued rows, all of them): a scan, or an index searched for status=?."""
    names = {"delivery_delivery", *re.findall(r'"delivery_delivery" "?(\w+)"?', sql)}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        steps = [row[3] for row in cursor.fetchall()]
    bad = []
    for step in steps:
        words = step.split()
        if len(words) < 2 or words[1] not in names:
            continue
        constraint = step.partition("(")[2].rstrip(")")
        whole_alert = constraint == "alert_id=? AND status=?" and not existence_test(sql)
        if words[0] == "SCAN" or constraint.startswith("status=?") or whole_alert:
            bad.append(step)
    return bad


def postgresql_reads_queued_rows(sql: str, params: tuple) -> list[str]:
    """The same on PostgreSQL: a Seq Scan of the deliveries, an index read whole, or an
    index scan whose condition is status (or an alert's status) alone."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (document,) = cursor.fetchone()
    plan = document if isinstance(document, list) else json.loads(document)
    bad = []

    def walk(node):
        if node.get("Relation Name") == "delivery_delivery" or "delivery" in node.get(
            "Index Name", ""
        ):
            kind = node["Node Type"]
            condition = node.get("Index Cond", "")
            columns = set(re.findall(r"\b(\w+)\s*(?:=|<|>|IS|ANY)", condition))
            by_status = columns and columns <= {"status", "alert_id"}
            existence = columns == {"status", "alert_id"} and existence_test(sql)
            if kind == "Seq Scan":
                bad.append(f"{kind} on {node.get('Relation Name')}")
            elif "Index" in kind and not condition:  # all of an index (of queued rows)
                bad.append(f"{kind} using {node.get('Index Name')}, whole")
            elif by_status and not existence:
                bad.append(f"{kind} using {node.get('Index Name')} ({condition})")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return bad


def reading_queued_rows(statements: Statements) -> dict[str, list[str]]:
    check = (
        sqlite_reads_queued_rows if connection.vendor == "sqlite" else postgresql_reads_queued_rows
    )
    found = {}
    for sql, params in statements.distinct():
        bad = check(sql, params)
        if bad:
            found[sql[:160]] = bad
    return found


def skip_unless(vendor):
    if connection.vendor != vendor:
        pytest.skip(f"the {vendor} pass checks this plan")


@backends
def test_sending_a_chunk_reads_no_other_chunks_queued_rows(vendor, fanned_out, servers):
    skip_unless(vendor)
    alert = fanned_out[1]
    ids = list(
        Delivery.objects.filter(alert=alert, channel="signal")
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    statements = Statements()

    with connection.execute_wrapper(statements):
        sent = send_chunk.call_local(alert.pk, "signal", ids[0], ids[-1])

    assert sent == len(ids)
    assert len(servers["signal"].messages) == len(ids)
    ran = " ".join(sql for sql, _params in statements.seen)
    assert '"attempts" = ' in ran and '"status" = ' in ran  # hold and mark_sent ran
    assert reading_queued_rows(statements) == {}
    # And the check sees a statement that does read every queued row.
    everything = Statements()
    with connection.execute_wrapper(everything):
        Delivery.objects.filter(status=Delivery.Status.QUEUED).update(reason="")
    assert reading_queued_rows(everything)


@backends
def test_a_recipient_to_try_again_is_let_go_without_reading_the_other_rows(
    vendor, fanned_out, servers
):
    skip_unless(vendor)
    alert = fanned_out[2]
    rows = Delivery.objects.filter(alert=alert, channel="signal").order_by("pk")
    ids = list(rows.values_list("pk", flat=True)[:100])
    servers["signal"].fail(rows.select_related("contact")[0].contact.address, "NETWORK_FAILURE")
    statements = Statements()

    with connection.execute_wrapper(statements):
        sent = send_chunk.call_local(alert.pk, "signal", ids[0], ids[-1])

    assert sent == len(ids) - 1
    # Its reason noted, let go for the sweeper.
    assert Delivery.objects.filter(pk=ids[0], status="queued", claim=None).exclude(reason="")
    assert reading_queued_rows(statements) == {}


@backends
def test_the_sweeps_read_only_the_rows_they_look_for(vendor, fanned_out, queue_only):
    skip_unless(vendor)
    first, second, _third = fanned_out
    for alert in fanned_out:  # their jobs wait in a long queue
        enqueue_chunks(alert, Delivery.objects.filter(alert=alert), hold=False)
    # A killed worker's rows (its lease ran out), and rows tried and still unsent.
    # Ids taken in Python: the planner of an unanalyzed table may run an IN (… LIMIT) per row.
    lost = list(
        Delivery.objects.filter(alert=first, channel="sms")
        .order_by("pk")[:50]
        .values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=lost).update(
        claim="f" * 32, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    tried = list(
        Delivery.objects.filter(alert=second, channel="email")
        .order_by("pk")[:20]
        .values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=tried).update(attempts=1)
    statements = Statements()

    with connection.execute_wrapper(statements):
        jobs = resume_stalled.call_local()
        handed = fallback_due.call_local()

    assert jobs == 1
    assert handed == 0  # their people have no other channel
    assert not Delivery.objects.filter(pk__in=tried, fallback_at__isnull=False)
    assert reading_queued_rows(statements) == {}
