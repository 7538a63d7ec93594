"""Several machines (issue 16, item 6): two `tocsin serve` and three `tocsin worker`
processes on one PostgreSQL database and one Redis queue, each process with a TOCSIN_VAR_DIR
of its own as if on a machine of its own (the keys come from the environment, the same on
every one: docs/scaling.md).

A dispatcher confirms an incident through the API of one web process and the verified
alert goes to 50,000 people on email, Signal and SMS, while 200 reports arrive at both web
processes, each from an address of its own behind the proxy (X-Forwarded-For, which
uvicorn takes from 127.0.0.1). The local channel servers run in processes of their own and
count per recipient (counting_servers.py). Then: everyone got exactly one message, every
report was answered 201 and is stored once. The most connections PostgreSQL had open for
the database is printed (docs/scaling.md); where the processes take their connections from
a pool (decision 0024, TOCSIN_DB_POOL_MAX), it must stay within the pools' sum.

A worker killed in the middle of a send is tests/faults/test_worker_kill_email.py's case
(one worker); a kill among several workers is not part of this test yet (docs/scaling.md).

The database (`tocsin_scale_<random>`) and the queue (`tocsin_scale_<random>` on
TOCSIN_TEST_REDIS_URL, else 127.0.0.1:6379) are made for the test and removed after it.
"""

import contextlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings

from tocsin.bench.stores import drop_postgres, flush_redis, fresh_postgres
from tocsin.delivery.local_servers.smtp import free_port
from tocsin.delivery.models import Alert, Delivery
from tocsin.response.models import Report

from .servers import REPO, database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until

RECIPIENTS = 50_000
REPORTS = 200
# Reports arrive over this long, while the alert is being sent.
REPORTING_SECONDS = 20
WEB_PROCESSES = 2
WORKERS = 3
# Far above what the local servers take, as in `tocsin bench fanout`: the engine is measured.
UNLIMITED_RATE = 100_000
# Threads per lane of each worker (the default).
THREADS = {"general": 2, "signal": 1, "sms": 2, "email": 2}
SIGNAL_BATCH = 100
# Bounds, not expectations: on a quiet 2-core machine the set-up takes about a minute and
# the send well under one; a machine shared with other work takes several times longer.
SETUP_SECONDS = 600
SEND_SECONDS = 900
POOL_MAX = 10
HOST = "127.0.0.1"


def fresh_queue_url() -> str:
    return os.environ.get("TOCSIN_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


def postgres_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


class ChannelServer:
    """One local channel server in a process of its own (counting_servers.py)."""

    def __init__(self, kind: str, env: dict):
        self.kind = kind
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.counting_servers", kind, str(self.port)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            process_group=0,
        )

    def wait_ready(self) -> None:
        line = self.process.stdout.readline().strip()
        assert line == "ready", f"the local {self.kind} server did not start: {line!r}"

    def counts(self) -> tuple[Counter, int]:
        """Stop the server; return how many messages each recipient got, and the requests."""
        out, _err = self.process.communicate(input="", timeout=60)
        result = json.loads(out.strip().splitlines()[-1])
        return Counter(result["recipients"]), result["requests"]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class ConnectionWatch(threading.Thread):
    """Count PostgreSQL's connections to one database every quarter second; keep the most."""

    def __init__(self, server_url: str, database: str):
        super().__init__(daemon=True)
        self.server_url, self.database = postgres_url(server_url), database
        self.most = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as db:
            while not self.stopping.wait(0.25):
                (count,) = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.most = max(self.most, count)

    def stop(self) -> int:
        self.stopping.set()
        self.join(timeout=5)
        return self.most


class Api:
    """JSON over HTTP to one web process, as a client behind the proxy: the proxy's
    X-Forwarded-For names the client's address."""

    def __init__(self, port: int, token: str = ""):
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: dict | None = None, client: str = "") -> tuple:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if client:
            headers["X-Forwarded-For"] = client
        try:
            connection.request(method, path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        return response.status, json.loads(answer) if answer else None


def answers(port: int) -> bool:
    with contextlib.suppress(OSError, http.client.HTTPException):
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    return False


def client_address(n: int) -> str:
    """Report n's sender: one address each, from the documentation ranges."""
    return f"198.51.100.{n + 1}" if n < 100 else f"203.0.113.{n - 99}"


def report(n: int, organization: str, site: str) -> dict:
    return {
        "organization": organization,
        "site": site,
        "agents": 1 + n % 6,
        "activity": f"Agents at the emergency entrance (scale report {n + 1})",
        "language": "es" if n % 5 == 0 else "en",
    }


def delivery_states(db: psycopg.Connection, alert_public_id: str) -> Counter:
    rows = db.execute(
        f"SELECT d.status, count(*) FROM {Delivery._meta.db_table} d "  # noqa: S608
        f"JOIN {Alert._meta.db_table} a ON a.id = d.alert_id "
        "WHERE a.public_id = %s GROUP BY d.status",
        [alert_public_id],
    ).fetchall()
    return Counter(dict(rows))


def progress(db: psycopg.Connection, alert_public_id: str) -> list[tuple]:
    """Return the alert's deliveries by channel, state and whether a job answers for them."""
    return db.execute(
        "SELECT d.channel, d.status, d.claim IS NOT NULL, d.claimed_until > now(), "  # noqa: S608
        f"max(d.attempts), count(*) FROM {Delivery._meta.db_table} d "
        f"JOIN {Alert._meta.db_table} a ON a.id = d.alert_id WHERE a.public_id = %s "
        "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        [alert_public_id],
    ).fetchall()


def twice(counts: Counter) -> int:
    return sum(count - 1 for count in counts.values() if count > 1)


@pytest.mark.fault
@pytest.mark.postgres
@pytest.mark.redis
def test_two_web_and_three_worker_processes_send_an_alert_once_and_store_every_report_once(
    tmp_path,
):
    name = f"tocsin_scale_{secrets.token_hex(4)}"
    server_url = database_url("postgres")
    queue_url = fresh_queue_url()
    database = fresh_postgres(server_url, name)
    processes: list[subprocess.Popen] = []
    channels: list[ChannelServer] = []
    watch = ConnectionWatch(server_url, name)
    began = time.monotonic()

    def say(what: str) -> None:
        print(f"{time.monotonic() - began:6.1f} s  {what}  (load {os.getloadavg()[0]:.1f})")

    try:
        env = tocsin_env(
            tmp_path / "shared",
            {},
            database,
            queue_url,
            TOCSIN_QUEUE_NAME=name,
            TOCSIN_WORKER_THREADS=",".join(f"{lane}={n}" for lane, n in THREADS.items()),
            TOCSIN_SIGNAL_BATCH=SIGNAL_BATCH,
            TOCSIN_FALLBACK_SECONDS=3600,
            TOCSIN_LOG_LEVEL="WARNING",
            TOCSIN_DB_POOL_MAX=POOL_MAX,
            **{f"TOCSIN_{ch}_RATE": UNLIMITED_RATE for ch in ("EMAIL", "SIGNAL", "SMS", "PUSH")},
        )
        channels = [ChannelServer(kind, env) for kind in ("smtp", "signal", "sms")]
        smtp, signal_server, sms = channels
        env |= {
            "TOCSIN_SMTP_URL": f"smtp://{HOST}:{smtp.port}",
            "TOCSIN_SIGNAL_URL": signal_server.url,
            "TOCSIN_SMS_URL": sms.url,
        }
        for channel in channels:
            channel.wait_ready()

        def machine(n: int) -> dict:
            var = tmp_path / f"machine-{n}"
            var.mkdir(exist_ok=True)
            return env | {"TOCSIN_VAR_DIR": str(var)}

        setup_started = time.monotonic()
        world_process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.scale_world", str(RECIPIENTS)],
            cwd=REPO,
            env=machine(0),
            stdout=subprocess.PIPE,
            text=True,
            process_group=0,
        )
        processes.append(world_process)
        assert world_process.stdout.readline().strip() == "migrated"
        say("migrated")
        watch.start()
        # The processes start while the people go in, as they would on their own machines.
        ports = [free_port() for _ in range(WEB_PROCESSES)]
        for n, port in enumerate(ports, start=1):
            processes.append(
                start_tocsin(
                    machine(n),
                    "serve",
                    f"--host={HOST}",
                    f"--port={port}",
                    "--log-level=warning",
                    log=tmp_path / f"serve-{n}.log",
                )
            )
        workers = []
        for n in range(WEB_PROCESSES + 1, WEB_PROCESSES + 1 + WORKERS):
            workers.append(start_tocsin(machine(n), "worker", log=tmp_path / f"worker-{n}.log"))
        processes.extend(workers)
        out, _err = world_process.communicate(timeout=SETUP_SECONDS)
        world = json.loads(out.strip().splitlines()[-1])
        everyone = world["addresses"]
        say("populated")
        assert len(everyone) == RECIPIENTS
        for port in ports:
            wait_until(lambda port=port: answers(port), 60, interval=0.2, what="tocsin serve")
        setup_s = time.monotonic() - setup_started
        say("serving")

        # The first report opens the incident; the dispatcher confirms it on the other web
        # process, and 200 more reports arrive at both meanwhile.
        status, _ = Api(ports[0]).call(
            "POST",
            "/api/v1/reports",
            report(-1, world["organization"], world["site"]),
            "192.0.2.1",
        )
        assert status == 201
        dispatcher = Api(ports[1], world["token"])
        status, incidents = dispatcher.call("GET", "/api/v1/incidents?state=new")
        assert status == 200 and incidents["count"] == 1, incidents

        started = time.monotonic()

        def send_report(n: int) -> tuple[int, dict | None]:
            time.sleep(max(0.0, started + n * REPORTING_SECONDS / REPORTS - time.monotonic()))
            api = Api(ports[n % WEB_PROCESSES])
            body = report(n, world["organization"], world["site"])
            return api.call("POST", "/api/v1/reports", body, client_address(n))

        with ThreadPoolExecutor(max_workers=8) as pool:
            reporting = [pool.submit(send_report, n) for n in range(REPORTS)]
            status, sent = dispatcher.call(
                "POST",
                f"/api/v1/incidents/{incidents['items'][0]['id']}/confirm",
                {"seen": ["agents_on_foot"], "radius_m": 1000, "ask": "stay_away"},
            )
            assert status == 201, sent
            assert sent["audience_size"] == RECIPIENTS
            confirmed_at = time.monotonic()
            say("confirmed")

            with psycopg.connect(postgres_url(database), autocommit=True) as db:
                try:
                    states = wait_until(
                        lambda: (
                            (found := delivery_states(db, sent["alert_id"])).total() == RECIPIENTS
                            and not found["queued"]
                            and found
                        ),
                        SEND_SECONDS,
                        interval=0.25,
                        what="every delivery sent",
                    )
                except AssertionError as timed_out:
                    raise AssertionError(f"{timed_out}: {progress(db, sent['alert_id'])}") from None
                sent_s = time.monotonic() - confirmed_at
                say("sent")
            reports = [done.result() for done in reporting]
        time.sleep(1.0)  # anything sent twice has time to arrive
        most_connections = watch.stop()
        counts: Counter = Counter()
        requests = {}
        for channel in channels:
            received, requests[channel.kind] = channel.counts()
            counts.update(received)

        # Every report was taken, and each is stored once.
        statuses = Counter(status for status, _answer in reports)
        assert statuses == {201: REPORTS}, statuses
        receipts = [answer["receipt"] for _status, answer in reports]
        with psycopg.connect(postgres_url(database), autocommit=True) as db:
            stored = Counter(
                str(public_id)
                for (public_id,) in db.execute(
                    f"SELECT public_id FROM {Report._meta.db_table}"  # noqa: S608
                ).fetchall()
            )
        assert stored.total() == REPORTS + 1, "a report lost, or stored twice"
        assert set(receipts) <= set(stored)

        # Every delivery was sent, and the servers heard from everyone.
        assert states == {"sent": RECIPIENTS}, states
        assert set(counts) == set(everyone), "someone got nothing, or someone not in the alert"
        assert twice(counts) == 0, f"{twice(counts)} messages went twice"
        # With a pool per process (decision 0024), no load opens more than the pools hold
        # (and this test's own connection).
        if hasattr(settings, "TOCSIN_DB_POOL_MAX"):
            pools = WEB_PROCESSES + WORKERS
            assert most_connections <= pools * POOL_MAX + 1, f"{most_connections} connections"
        print(
            json.dumps(
                {
                    "recipients": RECIPIENTS,
                    "reports": REPORTS,
                    "setup_s": round(setup_s, 1),
                    "sent_s": round(sent_s, 1),
                    "deliveries_per_s": round(RECIPIENTS / sent_s, 1),
                    "twice": twice(counts),
                    "requests": requests,
                    "most_connections": most_connections,
                    "load": os.getloadavg(),
                }
            )
        )
    finally:
        for process in reversed(processes):
            stop_tocsin(process, timeout=10)
        for channel in channels:
            channel.kill()
        if watch.is_alive():
            watch.stop()
        flush_redis(queue_url, name)
        drop_postgres(server_url, name)
