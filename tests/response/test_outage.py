"""Reports while the queue is down: the rate limit falls back to each process's memory
instead of refusing, and a burst page whose job the queue lost is sent by the sweep."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.conftest import make_person
from tocsin.accounts.roles import Role
from tocsin.core.outage import DEPENDENCY_ERRORS
from tocsin.delivery.local_servers.smtp import free_port
from tocsin.delivery.models import Alert
from tocsin.delivery.ratelimit import FallbackRateLimiter, SqliteRateLimiter
from tocsin.response.models import Burst, Incident, Report

WHAT = "Agents in tactical vests at the ambulance bay"


def api_report(address: str, org, **fields):
    return Client().post(
        "/api/v1/reports",
        json.dumps({"organization": org.slug, "activity": WHAT, **fields}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_reports_are_taken_while_the_limit_store_is_down_and_a_flood_is_still_held(org, settings):
    # Nothing listens on this port: the shared store is unreachable.
    settings.TOCSIN_QUEUE_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.TOCSIN_REPORT_BURST = 3

    answers = [api_report("198.51.100.20", org).status_code for _ in range(5)]

    assert answers == [201, 201, 201, 429, 429]
    assert Report.objects.count() == 3
    assert api_report("198.51.100.21", org).status_code == 201


def test_the_limit_goes_back_to_the_shared_store_once_it_answers(tmp_path):
    folder = tmp_path / "queue"
    shared = SqliteRateLimiter(str(folder / "queue.sqlite3"))
    limiter = FallbackRateLimiter(shared, DEPENDENCY_ERRORS, retry_after=0.2)

    # The store's folder is missing: SQLite cannot open it, so this process counts alone.
    assert limiter.try_acquire("report:x", rate=0.001, burst=1) == 0
    assert limiter.try_acquire("report:x", rate=0.001, burst=1) > 0
    assert not limiter.store_reachable()

    folder.mkdir()
    assert limiter.try_acquire("report:x", rate=0.001, burst=1) > 0  # still in memory
    limiter._store_down_until = 0  # the retry_after has passed
    assert limiter.try_acquire("report:x", rate=0.001, burst=1) == 0  # the store's own bucket
    assert shared.try_acquire("report:x", rate=0.001, burst=1) > 0


def test_a_burst_whose_job_was_lost_is_paged_once_by_the_sweep(org, settings, sent, smtp_server):
    make_person(org, Role.DISPATCHER, email="dispatch@mna.test")
    with sent():
        for number, lng in enumerate((-93.30, -93.25, -93.20)):
            assert api_report(f"203.0.113.{number + 1}", org, lat=44.95, lng=lng).status_code == 201
    (burst,) = Burst.objects.all()
    assert Incident.objects.filter(burst=burst).count() == 2
    # The delayed job never ran (the queue lost it): the burst is still owed its page.
    from tocsin.response.tasks import page_overdue_bursts_every_minute

    with sent():
        assert page_overdue_bursts_every_minute.call_local() == 0  # still within the hold
        Burst.objects.update(
            started_at=timezone.now() - timedelta(seconds=settings.TOCSIN_PAGE_HOLD_SECONDS + 61)
        )
        assert page_overdue_bursts_every_minute.call_local() == 1
        assert page_overdue_bursts_every_minute.call_local() == 0

    assert Alert.objects.filter(kind=Alert.Kind.NEW_INCIDENT).count() == 2
    assert len(smtp_server.messages) == 2
    assert "2 more new incidents" in smtp_server.messages[1]["body"]
