"""The web under a dependency that blinks: a real `tocsin serve` takes a stream of reports,
through the public report form and the JSON API, while PostgreSQL stops and starts again,
or while the Redis queue is killed.

What must hold (decision 0016): no answer is a 500; a failure is a 503 with Retry-After, in
JSON on the API; with the queue down reports are still accepted and a flood from one
address is still slowed; and every report that got a success answer is in the database
afterwards, counted by Tocsin itself once the servers are back.
"""

import json
import re
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

from .servers import (
    PostgresServer,
    RedisServer,
    run_tocsin,
    start_tocsin,
    stop_tocsin,
    tocsin_env,
    wait_until,
)

ORG = "mna"
# The flood goes to an organization of its own: its second new incident opens a burst, whose
# page is a delayed job enqueued while the queue is down.
FLOODED = "seiu-26"
THREADS = 4
# Each thread sends a report every PACE seconds: about 20 a second in all.
PACE = 0.2
FLOOD = 15

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
Organization.objects.create(slug={FLOODED!r}, name="SEIU Local 26")
"""

# What each report said, as Tocsin reads it back from its own database, and the bursts
# still owed a page (the sweep's record of a page whose job the queue lost).
STORED = """
import json
from tocsin.response.models import Burst, Report
print(json.dumps({
    "reports": [report.activity for report in Report.objects.all()],
    "unpaged_bursts": list(
        Burst.objects.filter(paged_at=None).values_list("organization__slug", flat=True)
    ),
}))
"""


@dataclass
class Answer:
    """One request of the stream and what it got."""

    way: str  # "form" or "api"
    marker: str  # the text of the report, unique to it
    status: int
    content_type: str = ""
    retry_after: str | None = None
    at: float = 0.0


@dataclass
class Stream:
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def client_address(thread: int, number: int) -> str:
    """A different address for each report of the stream, so that no source's limit is met
    (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""
    return f"10.{thread}.{number // 250}.{number % 250 + 1}"


def form_token(session: requests.Session, base: str) -> str:
    page = session.get(f"{base}/report/o/{ORG}/", timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def send_report(session, base, token, way: str, marker: str, address: str) -> Answer:
    headers = {"X-Forwarded-For": address}
    if way == "form":
        reply = session.post(
            f"{base}/report/o/{ORG}/",
            data={"csrfmiddlewaretoken": token, "activity": marker, "seen": "0"},
            headers={**headers, "Referer": f"{base}/report/o/{ORG}/"},
            allow_redirects=False,
            timeout=20,
        )
    else:
        reply = session.post(
            f"{base}/api/v1/reports",
            json={"organization": ORG, "activity": marker},
            headers=headers,
            timeout=20,
        )
    return Answer(
        way,
        marker,
        reply.status_code,
        reply.headers.get("Content-Type", ""),
        reply.headers.get("Retry-After"),
        time.monotonic(),
    )


def reporter(base: str, thread: int, until: float, stream: Stream) -> None:
    session = requests.Session()
    token = form_token(session, base)
    number = 0
    while time.monotonic() < until:
        way = "form" if number % 2 else "api"
        marker = f"probe {thread}-{number} {way}"
        try:
            answer = send_report(session, base, token, way, marker, client_address(thread, number))
        except requests.RequestException:
            answer = Answer(way, marker, 0, at=time.monotonic())
        stream.add(answer)
        number += 1
        time.sleep(PACE)


def run_stream(base: str, fault, seconds: float) -> Stream:
    """Send reports from THREADS threads for `seconds` while `fault()` runs."""
    stream = Stream()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=reporter, args=(base, number, until, stream))
        for number in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    fault()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return stream


@dataclass
class Web:
    base: str
    env: dict
    postgres: PostgresServer
    redis: RedisServer


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """A real `tocsin serve` on a throwaway PostgreSQL and Redis of its own, with an
    organization and its dispatcher. Both tests share it (a migration takes 13 s); each
    brings back what it stopped."""
    from tocsin.delivery.local_servers.smtp import free_port

    var = tmp_path_factory.mktemp("web-outage")
    postgres, redis = PostgresServer().create(), RedisServer().start()
    env = tocsin_env(
        var,
        {},
        postgres.url,
        redis.url,
        # After one page of the dispatchers, new incidents are held in a burst for them,
        # paged by a delayed job: the queue is used on the way, as in a real flood.
        TOCSIN_PAGE_HOLD_SECONDS=600,
        TOCSIN_ORG_REPORTS_PER_MINUTE=10_000,
    )
    server = None
    try:
        run_tocsin(env, "shell", "-c", SET_UP)
        port = free_port()
        server = start_tocsin(env, "serve", "--port", str(port), log=var / "serve.log")
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(base), 60, what="tocsin serve to answer")
        yield Web(base, env, postgres, redis)
    finally:
        if server is not None:
            stop_tocsin(server)
        postgres.destroy()
        redis.stop()


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stored(env) -> dict:
    printed = run_tocsin(env, "shell", "-c", STORED).stdout
    return json.loads(printed.strip().splitlines()[-1])


def succeeded(answer: Answer) -> bool:
    return (answer.way, answer.status) in {("api", 201), ("form", 302)}


def assert_only_successes_and_503s(stream: Stream) -> None:
    """No 500, no dropped connection: a failure is a 503 with Retry-After, JSON on the API."""
    for answer in stream.answers:
        if succeeded(answer):
            continue
        assert answer.status == 503, (answer.way, answer.status, answer.content_type)
        assert answer.retry_after and int(answer.retry_after) > 0
        if answer.way == "api":
            assert answer.content_type.startswith("application/json")
        else:
            assert answer.content_type.startswith("text/html")


def assert_every_success_stored(stream: Stream, database: dict) -> None:
    acknowledged = {answer.marker for answer in stream.answers if succeeded(answer)}
    missing = acknowledged - set(database["reports"])
    assert not missing, f"{len(missing)} acknowledged reports are not in the database"


def summary(stream: Stream) -> str:
    counts: dict[tuple[str, int], int] = {}
    for answer in stream.answers:
        counts[answer.way, answer.status] = counts.get((answer.way, answer.status), 0) + 1
    return ", ".join(f"{way} {status}: {count}" for (way, status), count in sorted(counts.items()))


@pytest.mark.fault
def test_it_answers_503_while_postgres_restarts_and_keeps_every_acknowledged_report(web):
    def restart_postgres():
        time.sleep(1.5)
        web.postgres.stop()
        time.sleep(5)
        web.postgres.start()

    stream = run_stream(web.base, restart_postgres, seconds=10)
    print("PostgreSQL restart:", summary(stream))

    assert len(stream.answers) >= 8 * THREADS
    assert any(answer.status == 503 for answer in stream.answers), summary(stream)
    assert_only_successes_and_503s(stream)
    # Back to normal once PostgreSQL is: the last reports were all taken.
    assert all(succeeded(answer) for answer in stream.answers[-THREADS:])
    assert_every_success_stored(stream, stored(web.env))


@pytest.mark.fault
def test_it_takes_reports_while_the_queue_is_down_and_still_slows_a_flood(web):
    flood: list[int] = []

    def kill_redis_and_flood():
        time.sleep(1.5)
        web.redis.kill()
        time.sleep(1)
        # One address sending FLOOD reports at once: its burst (5) goes through, no more.
        session = requests.Session()
        for number in range(FLOOD):
            reply = session.post(
                f"{web.base}/api/v1/reports",
                json={"organization": FLOODED, "activity": f"flood {number}"},
                headers={"X-Forwarded-For": "203.0.113.9"},
                timeout=20,
            )
            flood.append(reply.status_code)
        time.sleep(3)
        web.redis.start()

    started = time.monotonic()
    stream = run_stream(web.base, kill_redis_and_flood, seconds=8)
    print("Redis killed:", summary(stream), "; the flood:", flood)

    while_down = [answer for answer in stream.answers if started + 2 < answer.at < started + 5]
    assert len(while_down) >= 2 * THREADS
    assert all(succeeded(answer) for answer in stream.answers), summary(stream)
    assert flood.count(201) == 5 and flood.count(429) == FLOOD - 5, flood
    database = stored(web.env)
    assert_every_success_stored(stream, database)
    # The flood's burst page could not be enqueued: the burst is stored, for the sweep.
    assert FLOODED in database["unpaged_bursts"]
