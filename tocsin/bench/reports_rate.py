"""`tocsin bench reports --rate R`: reports arriving at a fixed rate, as in a raid, whatever
the server answers (open loop), at `tocsin serve --workers P`.

Report n is sent at start + n / R, each on a kept-alive connection free at that moment or a
new one: the client never waits for an answer before sending the next report, so a server
that falls behind sees the reports pile up, as it would in a raid. The client's own lag
(how late each report left against its schedule) and CPU are measured in the same run: a
client that cannot keep the rate says so, instead of passing its own slowness off as the
server's. Printed beside them: p50/p95/p99 of the POST (from when it left, and from when it
was due), the reports lost (any answer but 201, or none), the reports stored, the server's
CPU per report, the most database connections the server held (PostgreSQL), and the
figures per server process.
"""

import asyncio
import contextlib
import json
import math
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from tocsin.delivery.local_servers.smtp import free_port
from tocsin.response.models import Report

from .reports_run import (
    HOST,
    SERVER_START_SECONDS,
    report_body,
    set_up,
    start_server,
    stop_server,
)

REQUEST_TIMEOUT_SECONDS = 30
# Connections the client may hold open at once: far above what a server keeping up needs
# (rate times latency); past it, a report waits in the client, and its lag shows it.
MAX_CONNECTIONS = 1000
# Reports sent first, not counted, so that every server process has loaded its code.
WARM_UP_PER_PROCESS = 20


def percentiles(values: list[float], scale: float = 1000, digits: int = 1) -> dict:
    """Return p50, p95, p99 and max (nearest rank) of `values`, times `scale`."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    marks = {"p50": rank(0.5), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1]}
    return {name: round(value * scale, digits) for name, value in marks.items()}


def descendants(pid: int) -> list[int]:
    """Return `pid` and every process under it (uvicorn's supervisor and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting.extend(parents.get(current, []))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """Return the CPU time used so far by `pid` and the processes under it."""
    total = 0.0
    for one in descendants(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load_average() -> list[float]:
    return [float(part) for part in Path("/proc/loadavg").read_text().split()[:3]]


class ConnectionCounter(threading.Thread):
    """The most connections other sessions held to this database, sampled every 20 ms
    (PostgreSQL only; None on SQLite)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.most: int | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        if connection.vendor != "postgresql":
            return
        import psycopg

        params = connection.get_connection_params()
        params.pop("pool", None)
        with psycopg.connect(**params, autocommit=True) as watching:
            self.most = 0
            while not self.stopping.is_set():
                row = watching.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchone()
                if row is not None:  # count(*) always gives one row
                    self.most = max(self.most, row[0])
                time.sleep(0.02)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


async def send_at_rate(port: int, bodies: list[bytes], rate: float, deadline: float) -> dict:
    """Send bodies[n] at start + n / rate, none after `deadline`; return what each got."""
    import aiohttp

    url = f"http://{HOST}:{port}/api/v1/reports"
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    statuses: list[int | str | None] = [None] * len(bodies)
    post_s: list[float] = []
    due_s: list[float] = []
    lag_s: list[float] = []
    in_flight = most_in_flight = 0
    connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(n: int, due: float) -> None:
            nonlocal in_flight, most_in_flight
            sent = time.monotonic()
            lag_s.append(sent - due)
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            try:
                async with session.post(url, data=bodies[n], headers=headers) as response:
                    await response.read()
                    statuses[n] = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                statuses[n] = type(error).__name__
            finally:
                in_flight -= 1
            answered = time.monotonic()
            post_s.append(answered - sent)
            due_s.append(answered - due)

        tasks = []
        start = time.monotonic() + 0.2
        for n in range(len(bodies)):
            due = start + n / rate
            if due > deadline:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(post(n, due)))
        sending_s = time.monotonic() - start
        await asyncio.gather(*tasks)
        answered_s = time.monotonic() - start
    return {
        "statuses": statuses[: len(tasks)],
        "post_s": post_s,
        "due_s": due_s,
        "lag_s": lag_s,
        "sending_s": sending_s,
        "answered_s": answered_s,
        "most_in_flight": most_in_flight,
    }


def warm_up(port: int, sites: list, processes: int) -> None:
    """Send a few reports on fresh connections, so that each server process has loaded its
    code before the clock starts."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def one(n: int) -> None:
        client = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
        client.request(
            "POST",
            "/api/v1/reports",
            body=json.dumps(report_body(n, sites)),
            headers={"Content-Type": "application/json"},
        )
        client.getresponse().read()
        client.close()

    with ThreadPoolExecutor(max_workers=4 * processes) as pool:
        list(pool.map(one, range(WARM_UP_PER_PROCESS * processes)))


def measure_rate(options: dict) -> dict:
    """Send `reports` reports at `rate` a second to `processes` server processes; return
    the JSON fields."""

    count, rate, processes = options["reports"], options["rate"], options["processes"]
    started = time.monotonic()
    deadline = started + options["timeout"]
    work = Path(os.environ["TOCSIN_VAR_DIR"])

    call_command("migrate", verbosity=0)
    _organization, sites, _cookie = set_up(options["sites"])
    port = free_port(HOST)
    server = start_server(
        port,
        work / "serve.log",
        min(deadline, time.monotonic() + SERVER_START_SECONDS),
        processes=processes,
    )
    bodies = [json.dumps(report_body(n, sites)).encode() for n in range(count)]
    counter = ConnectionCounter()
    result: dict = {}
    try:
        warm_up(port, sites, processes)
        stored_before = Report.objects.count()
        # This process's own pool goes, so that the connections counted are the server's.
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
        load_before = load_average()
        started_at = time.time()
        server_cpu = tree_cpu_seconds(server.pid)
        client_cpu = time.process_time()
        counter.start()
        sent = asyncio.run(send_at_rate(port, bodies, rate, deadline))
        counter.stop()
        client_cpu = time.process_time() - client_cpu
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
        statuses = sent["statuses"]
        accepted = sum(1 for status in statuses if status == 201)
        lost: dict[str, int] = {}
        for status in statuses:
            if status != 201:
                lost[str(status)] = lost.get(str(status), 0) + 1
        stored = Report.objects.count() - stored_before
        answered_s = sent["answered_s"]
        result = {
            "mode": "rate",
            "rate": rate,
            "reports": count,
            "sent": len(statuses),
            "processes": processes,
            "accepted": accepted,
            "lost": len(statuses) - accepted + (count - len(statuses)),
            "lost_statuses": lost,
            "stored": stored,
            "post_ms": percentiles(sent["post_s"]),
            # From when the report was due: what a reporter waits if the client lagged too.
            "post_ms_from_due": percentiles(sent["due_s"]),
            "client_lag_ms": percentiles(sent["lag_s"]),
            "client_cpu_s": round(client_cpu, 2),
            "client_cpu_share": round(client_cpu / answered_s, 2) if answered_s else None,
            "most_in_flight": sent["most_in_flight"],
            "sending_s": round(sent["sending_s"], 2),
            "answered_s": round(answered_s, 2),
            "offered_per_s": round(len(statuses) / sent["sending_s"], 1),
            "accepted_per_s": round(accepted / answered_s, 1) if answered_s else None,
            "accepted_per_s_per_process": (
                round(accepted / answered_s / processes, 1) if answered_s else None
            ),
            "server_cpu_s": round(server_cpu, 2),
            # Per report the server stored: under overload it takes in fewer than were sent.
            "server_cpu_ms_per_report": round(server_cpu * 1000 / stored, 2) if stored else None,
            "server_cpu_share_per_process": (
                round(server_cpu / answered_s / processes, 2) if answered_s else None
            ),
            "database": connection.vendor,
            "most_database_connections": counter.most,
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": load_average(),
            "complete": accepted == count == stored,
            "started_at": datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds"),
        }
    finally:
        counter.stopping.set()
        stop_server(server)
    return result
