"""A raid's burst of reports on PostgreSQL (issue 16 item 2, decision 0024): a real
`tocsin serve` on a fresh PostgreSQL cluster of its own takes 400 reports from 16 reporters
at once, through the JSON API and the public report form.

Before, each request under ASGI kept a connection of its own for 60 seconds: one server
process opened connection after connection until PostgreSQL answered "too many clients",
and reports were lost as 500s. What must hold: the database never sees more of the
server's connections than its pool allows, every report is answered 201 (or the form's
redirect), and every one is stored exactly once.
"""

import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from tests.faults.servers import (
    PostgresServer,
    RedisServer,
    run_tocsin,
    start_tocsin,
    stop_tocsin,
    tocsin_env,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.fault]

ORG = "mna"
REPORTS = 400
REPORTERS = 16
POOL_MAX = 4
UNLIMITED = "1000000000"

SET_UP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import create_person
org = Organization.objects.create(slug={ORG!r}, name="Minnesota Nurses Association")
person = create_person(display_name="Dana Dispatcher", email="dana@mna.test")
Membership.objects.create(
    person=person, organization=org, roles=int(Role.DISPATCHER | Role.MEMBER)
)
"""

STORED = """
import json
from tocsin.response.models import Report
print(json.dumps([report.activity for report in Report.objects.all()]))
"""


class ConnectionCounter(threading.Thread):
    """Count the server's connections to its database in pg_stat_activity, every 20 ms,
    from a connection of our own (left out of the count)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.most = 0
        self.samples = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stopping.is_set():
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchone()
                self.most = max(self.most, count)
                self.samples += 1
                time.sleep(0.02)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


@pytest.fixture
def server(tmp_path):
    """A real `tocsin serve` whose pool allows POOL_MAX connections, on a PostgreSQL and a
    Redis of its own, with the report limits far above the burst (all from one address)."""
    from tocsin.delivery.local_servers.smtp import free_port

    postgres, redis = PostgresServer().create(), RedisServer().start()
    env = tocsin_env(
        tmp_path,
        {},
        postgres.url,
        redis.url,
        TOCSIN_DB_POOL_MIN=1,
        TOCSIN_DB_POOL_MAX=POOL_MAX,
        TOCSIN_REPORT_BURST=UNLIMITED,
        TOCSIN_REPORTS_PER_HOUR=UNLIMITED,
        TOCSIN_ORG_REPORTS_PER_MINUTE=UNLIMITED,
    )
    process = None
    try:
        run_tocsin(env, "shell", "-c", SET_UP)
        port = free_port()
        process = start_tocsin(env, "serve", "--port", str(port), log=tmp_path / "serve.log")
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(base), 60, what="tocsin serve to answer")
        yield base, env, postgres.url
    finally:
        if process is not None:
            stop_tocsin(process)
        postgres.destroy()
        redis.stop()


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Reporter(threading.local):
    """One reporter's kept-alive session, with the form's CSRF token once fetched."""

    session: requests.Session | None = None
    token = ""


def send(base: str, reporter: Reporter, n: int) -> tuple[str, int | str]:
    """Send report n, by the API when n is even and by the public form when odd; return
    its marker and the answer's status (or the error that stood for one)."""
    marker = f"Agents at the east entrance, burst report {n}"
    try:
        if reporter.session is None:
            reporter.session = requests.Session()
            page = reporter.session.get(f"{base}/report/o/{ORG}/", timeout=30)
            reporter.token = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
            ).group(1)
        if n % 2 == 0:
            reply = reporter.session.post(
                f"{base}/api/v1/reports", json={"organization": ORG, "activity": marker}, timeout=30
            )
            return marker, reply.status_code
        reply = reporter.session.post(
            f"{base}/report/o/{ORG}/",
            data={"csrfmiddlewaretoken": reporter.token, "activity": marker, "seen": "0"},
            headers={"Referer": f"{base}/report/o/{ORG}/"},
            allow_redirects=False,
            timeout=30,
        )
        # The form answers a taken report with a redirect to its thanks page.
        return marker, 201 if reply.status_code == 302 else reply.status_code
    except (requests.RequestException, AttributeError) as error:
        return marker, type(error).__name__


def test_a_burst_of_reports_is_taken_whole_within_the_pools_connections(server):
    base, env, database = server
    reporter = Reporter()
    counter = ConnectionCounter(database)
    counter.start()
    try:
        with ThreadPoolExecutor(max_workers=REPORTERS) as reporters:
            answers = list(reporters.map(lambda n: send(base, reporter, n), range(REPORTS)))
    finally:
        counter.stop()

    statuses = Counter(status for _marker, status in answers)
    assert statuses == {201: REPORTS}, f"answers: {dict(statuses)}"
    assert counter.samples > 10
    assert counter.most <= POOL_MAX, f"{counter.most} connections, the pool allows {POOL_MAX}"
    stored = Counter(json.loads(run_tocsin(env, "shell", "-c", STORED).stdout.splitlines()[-1]))
    assert stored == Counter(marker for marker, _status in answers)
