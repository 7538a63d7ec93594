"""What the delivery fault tests share: many recipients at once, the test's own queue, the
sweeper's clock, and what the local servers received.

enlist(org, signal=…, sms=…, email=…)  people with one confirmed contact each, straight into
                                        the test database (the fault is what is tested, not
                                        joining); returns every address.
queue_at(url)                          this process enqueues (Send, the sweeper's clock) on
                                        the queue at `url`, as the worker reads it.
SweepClock(url, every)                 enqueues the minute job resume_stalled every `every`
                                        seconds, as the worker's scheduler does every minute,
                                        so a test need not wait minutes for it.
started(url)                           whether a worker on the queue at `url` has started
                                        (it schedules its first sweep as it starts).
received(servers)                      how many messages each address got, on every channel.
wait_for_everyone(servers, everyone)   the same, once everyone got one or the time is up.
"""

import contextlib
import threading
import time
from collections import Counter

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tocsin.accounts.models import ContactPoint, Membership, Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import contact_index_for
from tocsin.core.queue import build_huey
from tocsin.delivery.fanout import resume_stalled


def addresses(channel: str, count: int) -> list[str]:
    """Return `count` distinct addresses of a channel; numbers are real Minneapolis-area
    numbers in form (an exchange of 2xx, as the plan gives out), up to 800,000 of them."""
    if channel == "email":
        return [f"member{n}@faults.example.org" for n in range(count)]
    prefix = {"signal": "+1612", "sms": "+1763"}[channel]
    return [f"{prefix}{2_000_000 + n:07d}" for n in range(count)]


def enlist(org, **counts: int) -> list[str]:
    """Create `count` active members of `org` per channel, each with one confirmed contact
    there; return every address."""
    now = timezone.now()
    everyone: list[str] = []
    for channel, count in counts.items():
        wanted = addresses(channel, count)
        people = Person.objects.bulk_create(
            [Person(display_name=f"{channel} {n}", password="!") for n in range(count)]
        )
        Membership.objects.bulk_create(
            [
                Membership(person=person, organization=org, roles=int(Role.MEMBER), active=True)
                for person in people
            ]
        )
        contacts = []
        for person, address in zip(people, wanted, strict=True):
            normalized, index = contact_index_for(channel, address)
            contacts.append(
                ContactPoint(
                    person=person,
                    channel=channel,
                    address=normalized,
                    address_index=index,
                    confirmed_at=now,
                )
            )
        ContactPoint.objects.bulk_create(contacts)
        everyone += wanted
    return everyone


@contextlib.contextmanager
def queue_at(url: str):
    """Make this process enqueue on the queue at `url` (not run jobs in place) meanwhile."""
    HUEY.immediate = False
    kept = HUEY.storage
    HUEY.storage = build_huey(url, name=HUEY.name).storage
    try:
        yield HUEY
    finally:
        HUEY.storage = kept
        HUEY.immediate = True


class SweepClock:
    """Enqueue a minute job (resume_stalled unless told) on the queue at `url` every `every`
    seconds, in a thread, whether or not the queue answers (the scheduler's minute, made
    shorter)."""

    def __init__(self, url: str, every: float = 1.0, job=resume_stalled):
        self.queue = build_huey(url, name=HUEY.name)
        self.job = job
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            job = self.job.s()
            with contextlib.suppress(Exception):  # the queue is down: as the scheduler does
                self.queue.storage.enqueue(HUEY.serialize_task(job), job.priority)

    def __enter__(self) -> "SweepClock":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


def started(url: str) -> bool:
    """Say whether a worker has started on the queue at `url`: it schedules a sweep first."""
    return build_huey(url, name=HUEY.name).scheduled_count() > 0


def received(servers: dict) -> Counter:
    """Return how many messages each address received, over every local server given."""
    counts: Counter = Counter()
    if "signal" in servers:
        counts.update(m["to"] for m in servers["signal"].messages)
    if "sms" in servers:
        counts.update(m["to"] for m in servers["sms"].messages)
    if "email" in servers:
        counts.update(a for m in servers["email"].messages for a in m["to"])
    return counts


def wait_for_everyone(servers: dict, everyone: list[str], timeout: float) -> Counter:
    """Return received(servers) once every address in `everyone` got a message (and a second
    more, for anything sent twice to arrive), or when `timeout` seconds are up."""
    deadline = time.monotonic() + timeout
    while len(received(servers)) < len(set(everyone)) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    return received(servers)


def twice(counts: Counter) -> int:
    """Return how many messages went to someone who already had one."""
    return sum(count - 1 for count in counts.values() if count > 1)
