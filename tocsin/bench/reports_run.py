"""The measured part of `tocsin bench reports`, in a process whose settings name a fresh
database (see reports.py, which starts it).

Set-up: migrate; one organization with S sites kilometres apart around Hennepin County
Medical Center; one dispatcher with a confirmed TOTP device and a session made directly,
as after a real sign-in and second-factor step. Then: start `tocsin serve` (uvicorn, the
ASGI path) on a free port of 127.0.0.1, open the console's event stream with the
dispatcher's session cookie, and send N anonymous reports through POST /api/v1/reports,
C at a time. For each report: how long its POST took, and how long after its 201 the
stream said `changed` with a mark at least that of the report's timeline line. Print one
JSON line.
"""

import bisect
import contextlib
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from tocsin.accounts.models import Membership, Organization, Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import create_person
from tocsin.delivery.local_servers.smtp import free_port
from tocsin.response.models import Incident, Report, TimelineEntry

from . import sse
from .population import SITE
from .run import cpu_seconds

HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 30
# The console says something at least every 15 s; a longer silence is a stalled stream.
STREAM_TIMEOUT_SECONDS = 30
# After the last POST, how long to wait for the console to show it.
CONSOLE_WAIT_SECONDS = 30
# A run cut short by its timeout still waits this long for the last reports to show.
LAST_LOOK_SECONDS = 5
SERVER_START_SECONDS = 120
SERVER_STOP_SECONDS = 5
# Sites lie on a grid this far apart, five times the clustering radius's default (500 m).
SITE_SPACING_M = 2500
METRES_PER_DEGREE_LAT = 111_320
# A report by pin lands this far north-east of its site: inside the radius.
PIN_OFFSET_DEGREES = Decimal("0.0006")
ORGANIZATION_SLUG = "bench"


def place_sites(count: int) -> list[tuple[str, Decimal, Decimal]]:
    """Return (name, lat, lng) of `count` sites on a grid centred on Hennepin County
    Medical Center, SITE_SPACING_M apart; the first is the hospital itself."""
    centre_lat, centre_lng = Decimal(SITE["lat"]), Decimal(SITE["lng"])
    lat_step = SITE_SPACING_M / METRES_PER_DEGREE_LAT
    lng_step = lat_step / math.cos(math.radians(float(centre_lat)))
    side = math.ceil(math.sqrt(count))
    # Grid cells nearest the centre first, so the hospital is site 1 and the rest ring it.
    cells = sorted(
        ((row, col) for row in range(-side, side + 1) for col in range(-side, side + 1)),
        key=lambda cell: (cell[0] ** 2 + cell[1] ** 2, cell),
    )[:count]
    placed = []
    for n, (row, col) in enumerate(cells):
        name = SITE["name"] if n == 0 else f"Benchmark site {n + 1}"
        lat = round(centre_lat + Decimal(row * lat_step), 6)
        lng = round(centre_lng + Decimal(col * lng_step), 6)
        placed.append((name, lat, lng))
    return placed


def set_up(site_count: int):
    """Create the organization, its sites and a dispatcher; return (organization, sites,
    session cookie) for the console."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    organization = Organization.objects.create(
        name="Benchmark Nurses Association", slug=ORGANIZATION_SLUG, kind=Organization.Kind.UNION
    )
    sites = []
    for name, lat, lng in place_sites(site_count):
        site = Site.objects.create(kind=Site.Kind.HOSPITAL, name=name, lat=lat, lng=lng)
        site.organizations.add(organization)
        sites.append(site)
    dispatcher = create_person(display_name="Bench Dispatcher", email="dispatcher@example.org")
    Membership.objects.create(
        person=dispatcher, organization=organization, roles=int(Role.DISPATCHER | Role.MEMBER)
    )
    device = TOTPDevice.objects.create(user=dispatcher, name="bench", confirmed=True)
    # What a sign-in and a verified second factor leave in the session.
    session = SessionStore()
    session[SESSION_KEY] = str(dispatcher.pk)
    session[BACKEND_SESSION_KEY] = "tocsin.accounts.backends.EmailBackend"
    session[HASH_SESSION_KEY] = dispatcher.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.create()
    return organization, sites, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def report_body(n: int, sites: list) -> dict:
    """Report n: at site n mod S, by the site's code in even rounds, by a pin near it in odd."""
    site = sites[n % len(sites)]
    body = {
        "organization": ORGANIZATION_SLUG,
        "agents": 1 + n % 6,
        "vehicles": n % 3,
        "activity": f"Agents in tactical vests at the entrance (benchmark report {n + 1})",
        "language": "es" if n % 5 == 0 else "en",
    }
    if (n // len(sites)) % 2 == 0:
        body["site"] = site.code
    else:
        body["lat"] = float(site.lat + PIN_OFFSET_DEGREES)
        body["lng"] = float(site.lng + PIN_OFFSET_DEGREES)
    return body


def start_server(port: int, log: Path, deadline: float, processes: int = 1) -> subprocess.Popen:
    """Start `tocsin serve` on 127.0.0.1:`port` with `processes` server processes; return
    it once /healthz answers."""
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        [
            sys.executable,
            "-m",
            "tocsin",
            "serve",
            f"--host={HOST}",
            f"--port={port}",
            f"--workers={processes}",
            "--log-level=warning",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tocsin serve exited ({server.returncode}): {tail(log)}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"tocsin serve did not answer in time: {tail(log)}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


class ConsoleStream(threading.Thread):
    """Read the console's event stream as the console's page does (console.js): on each
    `changed` event after the first, fetch the queue's fresh rendering. Reconnect when the
    server ends the stream, as EventSource does. Keep each event's mark, when it arrived
    and when the queue it made the page fetch had come."""

    def __init__(self, port: int, path: str, queue_path: str, cookie: str):
        super().__init__(daemon=True)
        self.port, self.path, self.queue_path, self.cookie = port, path, queue_path, cookie
        self.marks: list[int] = []
        self.times: list[float] = []
        self.shown: list[float] = []
        self.queue_s: list[float] = []
        self.connections = 0
        self.failure: str | None = None
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.connection: http.client.HTTPConnection | None = None
        self.queue = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.read_stream()
        except (OSError, http.client.HTTPException, ValueError) as error:
            if not self.stopping.is_set():
                self.failure = f"{type(error).__name__}: {error}"
        finally:
            with self.changed:
                self.changed.notify_all()

    def read_stream(self) -> None:
        self.connection = http.client.HTTPConnection(
            HOST, self.port, timeout=STREAM_TIMEOUT_SECONDS
        )
        response = sse.open_stream(self.connection, self.path, self.cookie)
        self.connections += 1
        for event, data in sse.events(response):
            if event == "changed":
                self.heard(json.loads(data)["mark"])
        # The server ended the stream (after ten minutes): run() reconnects.

    def heard(self, mark: int) -> None:
        heard_at = time.monotonic()
        # The page skips the first event of its stream: it was rendered just now.
        shown_at = self.fetch_queue() if self.marks else heard_at
        with self.changed:
            self.marks.append(mark)
            self.times.append(heard_at)
            self.shown.append(shown_at)
            self.changed.notify_all()

    def fetch_queue(self) -> float:
        """GET the queue's rendering, as the page does; return when it had come."""
        started = time.monotonic()
        self.queue.request("GET", self.queue_path, headers={"Cookie": self.cookie})
        response = self.queue.getresponse()
        response.read()
        if response.status != 200:
            raise ValueError(f"the console's queue answered {response.status}")
        shown_at = time.monotonic()
        self.queue_s.append(shown_at - started)
        return shown_at

    def wait_for(self, mark: int, timeout: float) -> bool:
        """Wait until the stream has said a mark of at least `mark`; return whether it did."""
        with self.changed:
            return self.changed.wait_for(
                lambda: bool(self.marks and self.marks[-1] >= mark) or not self.is_alive(),
                timeout=max(0.0, timeout),
            ) and bool(self.marks and self.marks[-1] >= mark)

    def first_at_least(self, mark: float) -> tuple[float, float] | None:
        """Return when the stream first said a mark of at least `mark` (marks only grow;
        math.inf: never), and when the queue that event made the page fetch had come."""
        with self.changed:
            index = bisect.bisect_left(self.marks, mark)
            return (self.times[index], self.shown[index]) if index < len(self.times) else None

    def stop(self) -> None:
        self.stopping.set()
        if self.connection is not None and self.connection.sock is not None:
            with contextlib.suppress(OSError):
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.join(timeout=5)
        self.queue.close()


@dataclass
class Sent:
    """One report's POST: its status, how long it took and when its answer came."""

    status: int | str
    post_s: float
    answered_at: float
    report_id: str | None = None


class Reporter:
    """POST reports to the server, one kept-alive connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def post(self, body: dict) -> Sent:
        payload = json.dumps(body).encode()
        started = time.monotonic()
        try:
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection(
                    HOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS
                )
                self.local.connection = connection
            connection.request(
                "POST",
                "/api/v1/reports",
                body=payload,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.local.connection = None
            return Sent(type(error).__name__, time.monotonic() - started, time.monotonic())
        answered_at = time.monotonic()
        report_id = json.loads(answer)["receipt"] if response.status == 201 else None
        return Sent(response.status, answered_at - started, answered_at, report_id)


def send_all(
    reporter: Reporter, sites: list, count: int, concurrency: int, deadline: float
) -> list[Sent]:
    """POST reports 0 to count - 1, `concurrency` at a time, none after `deadline`; return
    those sent, in order."""
    numbers = iter(range(count))
    taking = threading.Lock()
    sent: dict[int, Sent] = {}

    def keep_sending() -> None:
        while time.monotonic() < deadline:
            with taking:
                n = next(numbers, None)
            if n is None:
                return
            sent[n] = reporter.post(report_body(n, sites))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for running in [pool.submit(keep_sending) for _ in range(concurrency)]:
            running.result()
    return [sent[n] for n in sorted(sent)]


def summary(values: list[float], scale: float, digits: int) -> dict:
    """Return p50, p95 and max (nearest rank) of `values`, times `scale`."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        name: round(value * scale, digits)
        for name, value in (("p50", rank(0.5)), ("p95", rank(0.95)), ("max", ordered[-1]))
    }


def measure_reports(options: dict) -> dict:
    """Run the benchmark against this process's database; return the JSON fields."""
    if options.get("rate"):
        from .reports_rate import measure_rate  # in the function: reports_rate imports this module

        return measure_rate(options)
    from django.db.models import Min
    from django.urls import reverse

    count, concurrency = options["reports"], options["concurrency"]
    started = time.monotonic()
    deadline = started + options["timeout"]
    work = Path(os.environ["TOCSIN_VAR_DIR"])

    call_command("migrate", verbosity=0)
    organization, sites, cookie = set_up(options["sites"])
    port = free_port(HOST)
    server = start_server(
        port, work / "serve.log", min(deadline, time.monotonic() + SERVER_START_SECONDS)
    )
    stream = ConsoleStream(
        port,
        reverse("response:console_events", kwargs={"org": organization.slug}),
        reverse("response:console_queue", kwargs={"org": organization.slug}),
        cookie,
    )
    result: dict = {}
    try:
        stream.start()
        # The stream's first event says the mark at once; then the clock starts.
        if not stream.wait_for(0, min(STREAM_TIMEOUT_SECONDS, deadline - time.monotonic())):
            raise RuntimeError(f"the console's stream did not open: {stream.failure}")
        setup_s = time.monotonic() - started

        started_at = time.time()
        sending = time.monotonic()
        server_cpu = cpu_seconds(server.pid)
        sent = send_all(Reporter(port), sites, count, concurrency, deadline)
        send_s = time.monotonic() - sending
        # The server's CPU while the reports went in, its start-up (collectstatic) left out.
        server_cpu = cpu_seconds(server.pid) - server_cpu
        received = [one for one in sent if one.status == 201]

        lines = dict(
            TimelineEntry.objects.filter(action="response.report.received").values_list(
                "detail__report", "pk"
            )
        )
        marks = {one.report_id: lines.get(one.report_id) for one in received}
        firsts = Report.objects.values("incident").annotate(first=Min("pk")).values("first")
        opening = {
            str(public_id)
            for public_id in Report.objects.filter(pk__in=firsts).values_list(
                "public_id", flat=True
            )
        }
        newest = max((mark for mark in marks.values() if mark is not None), default=0)
        # Past the deadline too, the last reports get a moment: the parent allows a margin.
        wait = max(min(CONSOLE_WAIT_SECONDS, deadline - time.monotonic()), LAST_LOOK_SECONDS)
        stream.wait_for(newest, wait)

        console_delays, shown_delays = [], []
        for one in received:
            seen = stream.first_at_least(marks[one.report_id] or math.inf)
            if seen is not None:
                # The stream may say so before the reporter has read the 201: no delay then.
                console_delays.append(max(0.0, seen[0] - one.answered_at))
                shown_delays.append(max(0.0, seen[1] - one.answered_at))
        errors: dict[str, int] = {}
        for one in sent:
            if one.status != 201:
                errors[str(one.status)] = errors.get(str(one.status), 0) + 1
        unsent = count - len(sent)
        unseen = len(received) - len(console_delays)
        result = {
            "reports": count,
            "sites": len(sites),
            "concurrency": concurrency,
            "incidents": Incident.objects.filter(organization=organization).count(),
            "received": len(received),
            "post_ms": summary([one.post_s for one in sent], 1000, 1),
            # Those that opened an incident, and so also alerted the dispatchers.
            "post_ms_opening": summary(
                [one.post_s for one in received if one.report_id in opening], 1000, 1
            ),
            "post_ms_joining": summary(
                [one.post_s for one in received if one.report_id not in opening], 1000, 1
            ),
            "console_s": summary(console_delays, 1, 3),
            "shown_s": summary(shown_delays, 1, 3),
            "queue_ms": summary(stream.queue_s, 1000, 1),
            "errors": sum(errors.values()),
            "error_statuses": errors,
            "unsent": unsent,
            "unseen": unseen,
            "setup_s": round(setup_s, 3),
            "send_s": round(send_s, 3),
            "reports_per_s": round(len(received) / send_s, 1) if send_s else None,
            "server_cpu_ms_per_report": round(server_cpu * 1000 / len(sent), 1) if sent else None,
            "stream_connections": stream.connections,
            "stream_failure": stream.failure,
            "complete": not errors and not unsent and not unseen and stream.failure is None,
            "started_at": datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds"),
        }
    finally:
        with contextlib.suppress(OSError):  # a server that died has no /proc entry
            result["cpu_s"] = {
                "server": round(cpu_seconds(server.pid), 1),
                "measuring": round(cpu_seconds(os.getpid()), 1),
            }
        stream.stop()
        stop_server(server)
    return result
