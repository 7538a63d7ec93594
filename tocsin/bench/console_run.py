"""The measured part of `tocsin bench console`, in a process whose settings name a fresh
database (see console.py, which starts it).

Set-up: migrate; one organization with S sites and a dispatcher signed in with a second
factor (tocsin.bench.reports_run.set_up), and as many more dispatchers as consoles, each
with a session of their own (each console renders its own dispatcher's unread marks). Then, twice on the same database — first with the
change signal (TOCSIN_CONSOLE_SIGNAL=1), then with the one-second poll it replaced
(TOCSIN_CONSOLE_SIGNAL=0, TOCSIN_CONSOLE_POLL_SECONDS=1) — start `tocsin serve` (uvicorn),
open C consoles and send N anonymous reports through POST /api/v1/reports at a steady R per
second, report n at site n mod S, so the queue keeps S lines.

Each console is an SSE client that does what console.js does: it reads the console's event
stream and, on each `changed` event but the very first, fetches the queue's rendering. A
report is shown on a console once a fetched queue holds its words, or the words of a later
report of the same incident (a line shows its newest report's). For each report and each
console: the time from the report's 201 to the end of that fetch (`shown_ms`), and to the
`changed` event that caused it (`heard_ms`). Print one JSON line.
"""

import contextlib
import http.client
import json
import math
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.management import call_command

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import create_person
from tocsin.delivery.local_servers.smtp import free_port

from . import sse
from .reports_rate import tree_cpu_seconds
from .reports_run import report_body, set_up, start_server, stop_server

HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 30
STREAM_TIMEOUT_SECONDS = 30
SERVER_START_SECONDS = 120
# After the last POST, how long to wait for every console to show it.
CONSOLE_WAIT_SECONDS = 20
# Between the consoles opening and the first report: each has heard its first event.
SETTLE_SECONDS = 1.0
CEILING_MS = 300
MODES = {
    "signal": {"TOCSIN_CONSOLE_SIGNAL": "1"},
    "poll": {"TOCSIN_CONSOLE_SIGNAL": "0", "TOCSIN_CONSOLE_POLL_SECONDS": "1"},
}
NUMBER = re.compile(r"\(benchmark report (\d+)\)")


class Console(threading.Thread):
    """One dispatcher's console page, as console.js drives it."""

    def __init__(self, port: int, events_path: str, queue_path: str, cookie: str, sites: int):
        super().__init__(daemon=True)
        self.port, self.events_path, self.queue_path = port, events_path, queue_path
        self.cookie, self.sites = cookie, sites
        self.heard_first = threading.Event()
        self.stopping = threading.Event()
        # Report n -> (when the event came, when the queue that showed it came).
        self.shown: dict[int, tuple[float, float]] = {}
        # Per site, the newest report number shown (report n is at site n mod S).
        self.newest = [site - sites for site in range(sites)]
        self.queue_s: list[float] = []
        self.queue_errors = 0
        self.events = 0
        self.failure: str | None = None
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.read_stream()
        except (OSError, http.client.HTTPException, ValueError) as error:
            if not self.stopping.is_set():
                self.failure = f"{type(error).__name__}: {error}"

    def read_stream(self) -> None:
        self.connection = http.client.HTTPConnection(
            HOST, self.port, timeout=STREAM_TIMEOUT_SECONDS
        )
        response = sse.open_stream(self.connection, self.events_path, self.cookie)
        for event, _data in sse.events(response):
            if event == "changed":
                self.changed()
        # The server ended the stream: run() reconnects, as EventSource does.

    def changed(self) -> None:
        heard_at = time.monotonic()
        self.events += 1
        if not self.heard_first.is_set():
            self.heard_first.set()  # the page was rendered just now: console.js skips it
            return
        started = time.monotonic()
        # A connection of its own each time: a browser's idle one may have been closed.
        queue = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        queue.request("GET", self.queue_path, headers={"Cookie": self.cookie})
        response = queue.getresponse()
        html = response.read().decode()
        shown_at = time.monotonic()
        queue.close()
        if response.status != 200:
            self.queue_errors += 1  # console.js keeps the queue it has and waits for more
            return
        self.queue_s.append(shown_at - started)
        for number in {int(found) - 1 for found in NUMBER.findall(html)}:
            site = number % self.sites
            for n in range(self.newest[site] + self.sites, number + 1, self.sites):
                self.shown.setdefault(n, (heard_at, shown_at))
            self.newest[site] = max(self.newest[site], number)

    def stop(self) -> None:
        self.stopping.set()
        if self.connection is not None and self.connection.sock is not None:
            with contextlib.suppress(OSError):
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.join(timeout=5)


def dispatcher_cookie(organization, number: int) -> str:
    """Create dispatcher `number` of the organization, signed in with a confirmed second
    factor as after a real sign-in; return the session's cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = create_person(
        display_name=f"Console Dispatcher {number}", email=f"console{number}@example.org"
    )
    Membership.objects.create(
        person=person, organization=organization, roles=int(Role.DISPATCHER | Role.MEMBER)
    )
    device = TOTPDevice.objects.create(user=person, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "tocsin.accounts.backends.EmailBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def percentiles(values: list[float]) -> dict:
    """Return p50, p95, p99 and max (nearest rank) of `values`, in milliseconds."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    shown = {name: rank(fraction) for name, fraction in (("p50", 0.5), ("p95", 0.95))}
    shown |= {"p99": rank(0.99), "max": ordered[-1]}
    return {name: round(value * 1000, 1) for name, value in shown.items()}


@dataclass
class Sent:
    status: int | str
    post_s: float
    answered_at: float


def post_report(port: int, body: dict) -> Sent:
    """POST one anonymous report through the public API, on a connection of its own."""
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
        connection.request(
            "POST",
            "/api/v1/reports",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        connection.close()
    except (OSError, http.client.HTTPException) as error:
        return Sent(type(error).__name__, time.monotonic() - started, time.monotonic())
    answered_at = time.monotonic()
    return Sent(response.status, answered_at - started, answered_at)


def send_steadily(port: int, sites: list, numbers: range, rate: float, deadline: float):
    """POST report n at start + (n - first) / rate, whatever the earlier ones take; return
    {n: Sent}."""
    start = time.monotonic() + 0.1
    sent = {}

    def send(n: int) -> None:
        time.sleep(max(0.0, start + (n - numbers.start) / rate - time.monotonic()))
        if time.monotonic() < deadline:
            sent[n] = post_report(port, report_body(n, sites))

    with ThreadPoolExecutor(max_workers=8) as pool:
        for running in [pool.submit(send, n) for n in numbers]:
            running.result()
    return sent


def run_mode(mode: str, numbers: range, options: dict, context: dict, deadline: float) -> dict:
    """Serve with `mode`'s settings, open the consoles, send the reports; return the figures."""
    os.environ.update(MODES[mode])  # the server inherits them
    port = free_port(HOST)
    work = Path(os.environ["TOCSIN_VAR_DIR"])
    server = start_server(
        port,
        work / f"serve-{mode}.log",
        min(deadline, time.monotonic() + SERVER_START_SECONDS),
        processes=options["processes"],
    )
    consoles = [
        Console(port, context["events"], context["queue"], cookie, options["sites"])
        for cookie in context["cookies"]
    ]
    try:
        for console in consoles:
            console.start()
        for console in consoles:
            if not console.heard_first.wait(STREAM_TIMEOUT_SECONDS):
                raise RuntimeError(f"a console's stream did not open: {console.failure}")
        time.sleep(SETTLE_SECONDS)
        server_cpu = tree_cpu_seconds(server.pid)
        sent = send_steadily(port, context["sites"], numbers, options["rate"], deadline)
        received = {n: one for n, one in sent.items() if one.status == 201}
        wait_until = time.monotonic() + min(CONSOLE_WAIT_SECONDS, deadline - time.monotonic())
        while time.monotonic() < wait_until and not all(
            n in console.shown for console in consoles for n in received
        ):
            time.sleep(0.05)
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
        shown, heard, unseen = [], [], 0
        for console in consoles:
            for n, one in received.items():
                seen = console.shown.get(n)
                if seen is None:
                    unseen += 1
                    continue
                # A console may show it before the reporter has read the 201: no delay then.
                heard.append(max(0.0, seen[0] - one.answered_at))
                shown.append(max(0.0, seen[1] - one.answered_at))
        return {
            "shown_ms": percentiles(shown),
            "heard_ms": percentiles(heard),
            "post_ms": percentiles([one.post_s for one in sent.values()]),
            "queue_fetch_ms": percentiles([s for console in consoles for s in console.queue_s]),
            "queue_fetches": sum(len(console.queue_s) for console in consoles),
            "queue_errors": sum(console.queue_errors for console in consoles),
            "received": len(received),
            "errors": len(sent) - len(received),
            "error_statuses": sorted({str(one.status) for one in sent.values()} - {"201"}),
            "unsent": len(numbers) - len(sent),
            "unseen": unseen,
            "server_cpu_s": round(server_cpu, 1),
            "console_failures": [c.failure for c in consoles if c.failure],
        }
    finally:
        for console in consoles:
            console.stop()
        stop_server(server)


def measure_console(options: dict) -> dict:
    """Run the benchmark against this process's database; return the JSON fields."""
    from django.urls import reverse

    started = time.monotonic()
    deadline = started + options["timeout"]
    started_at = time.time()
    call_command("migrate", verbosity=0)
    organization, sites, _cookie = set_up(options["sites"])
    context = {
        "sites": sites,
        "cookies": [dispatcher_cookie(organization, n) for n in range(options["consoles"])],
        "events": reverse("response:console_events", kwargs={"org": organization.slug}),
        "queue": reverse("response:console_queue", kwargs={"org": organization.slug}),
    }
    count = options["reports"]
    result: dict = {
        "reports": count,
        "rate_per_s": options["rate"],
        "consoles": options["consoles"],
        "sites": options["sites"],
        "processes": options["processes"],
        "ceiling_ms": CEILING_MS,
        "consoles_are": (
            "SSE clients of as many dispatchers, each fetching its queue on `changed` as "
            "console.js does"
        ),
    }
    for index, mode in enumerate(MODES):
        numbers = range(index * count, (index + 1) * count)
        result[mode] = run_mode(mode, numbers, options, context, deadline)
    signal = result["signal"]
    result["complete"] = all(
        not result[mode]["unseen"] and not result[mode]["errors"] and not result[mode]["unsent"]
        for mode in MODES
    )
    result["signal_p99_under_ceiling"] = (
        signal["shown_ms"]["p99"] is not None and signal["shown_ms"]["p99"] < CEILING_MS
    )
    result["started_at"] = datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds")
    result["run_s"] = round(time.monotonic() - started, 1)
    return result
