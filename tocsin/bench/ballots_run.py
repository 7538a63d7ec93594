"""The measured part of `tocsin bench ballots`, in a process whose settings name a fresh
database (see ballots.py, which starts it).

Set-up, not measured: migrate; the benchmark's population (tocsin/bench/population.py: one
organization, one site, N active members with a confirmed contact each), all of them in
one unit; an organizer, who creates a vote of the unit (and its tally) through
`create_vote` and sends its ballots through `send_ballots` (the roll, the pending ballots
and the ballot alert, whose fan-out job stays in the queue: no worker runs). Then: K
electors cast through `services.casting.cast`, one after the other, each cast its own transaction
as on the ballot page, and each cast is timed, with the erasing of the casting history
that follows its commit. Print one JSON line.
"""

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tocsin.accounts.models import Membership, Person, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import create_person
from tocsin.delivery.vapid import vapid_keys
from tocsin.votes.models import PendingBallot, Receipt, Tally, Vote
from tocsin.votes.services import casting as ballot_casting
from tocsin.votes.services.votes import VoteInput, create_vote, send_ballots

from .population import populate
from .reports_run import summary
from .run import cpu_seconds, push_pool

# Where the members' push contacts point. Nothing is sent there: no worker runs.
UNSENT_PUSH_URL = "http://127.0.0.1:9"
QUESTION = "Ratify the tentative agreement of the benchmark?"
OPTIONS = ["Yes", "No"]
VOTING_DAYS = 7


def set_up(roll: int, work: Path):
    """Create `roll` members of one unit and a vote of that unit with its ballots sent;
    return the vote and its options."""

    pool = push_pool(UNSENT_PUSH_URL, 1, work / "push-subscriptions.json", vapid_keys().public_key)
    organization, site = populate(roll, pool)
    unit = Unit.objects.create(organization=organization, name="Registered nurses")
    unit.sites.add(site)
    Membership.objects.filter(organization=organization).update(unit=unit)
    organizer = create_person(display_name="Bench Organizer", email="organizer@example.org")
    Membership.objects.create(
        person=organizer, organization=organization, roles=int(Role.ORGANIZER | Role.MEMBER)
    )
    now = timezone.now()
    vote = create_vote(
        organizer,
        organization,
        VoteInput(
            question=QUESTION,
            options=OPTIONS,
            unit=unit,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=VOTING_DAYS),
            quorum_kind=Vote.QuorumKind.PERCENT,
            quorum_value=50,
        ),
    )
    vote = send_ballots(organizer, vote)
    return vote, list(vote.options.order_by("position"))


def database_cpu_seconds() -> float | None:
    """Return the CPU time this connection's PostgreSQL backend has used so far (None on
    SQLite, whose work is this process's own, or when the backend's /proc is unreadable)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        return cpu_seconds(pid)
    except OSError:
        return None


def tables_kb() -> dict | None:
    """Return the size on disk of each table a cast writes, with its indexes, in kB
    (PostgreSQL only)."""

    if connection.vendor != "postgresql":
        return None
    sizes = {}
    with connection.cursor() as cursor:
        for name, model in (("tally", Tally), ("receipts", Receipt), ("pending", PendingBallot)):
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            sizes[name] = cursor.fetchone()[0] // 1024
    return sizes


def wal_position() -> str | None:
    """Return where the PostgreSQL server's write-ahead log is now (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (position,) = cursor.fetchone()
    return position


def wal_kb_since(position: str | None) -> int | None:
    """Return how much the server's write-ahead log has grown since `position`, in kB: all
    its databases' writes, so anything else writing to that server counts too."""
    if position is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [position])
        (grown,) = cursor.fetchone()
    return int(grown) // 1024


def per_cast_ms(seconds: float | None, casts: int) -> float | None:
    return round(seconds * 1000 / casts, 2) if seconds is not None and casts else None


def measure_ballots(options: dict) -> dict:
    """Run the benchmark against this process's database; return the JSON fields."""
    from huey.contrib.djhuey import HUEY

    roll, asked = options["roll"], options["casts"]
    started = time.monotonic()
    deadline = started + options["timeout"]
    work = Path(os.environ["TOCSIN_VAR_DIR"])

    call_command("migrate", verbosity=0)
    vote, choices = set_up(roll, work)
    voters = list(
        Person.objects.filter(pk__in=vote.electors.values("person_id")).order_by("pk")[:asked]
    )
    setup_s = time.monotonic() - started
    tables_kb_before = tables_kb()

    started_at = time.time()
    casting = time.monotonic()
    measuring_cpu, database_cpu = cpu_seconds(os.getpid()), database_cpu_seconds()
    wal_before = wal_position()
    timings = []
    for n, voter in enumerate(voters):
        if time.monotonic() >= deadline:
            break
        began = time.perf_counter()
        ballot_casting.cast(voter, vote, choices[n % len(choices)])
        timings.append(time.perf_counter() - began)
    cast_s = time.monotonic() - casting
    wal_kb = wal_kb_since(wal_before)
    measuring_cpu = cpu_seconds(os.getpid()) - measuring_cpu
    database_cpu_after = database_cpu_seconds()
    if database_cpu is not None and database_cpu_after is not None:
        database_cpu = database_cpu_after - database_cpu

    done = len(timings)
    # The first and last tenth of the casts: whether a cast slows as the vote goes on.
    tenth = max(1, done // 10)
    return {
        "roll": roll,
        "casts": done,
        "casts_asked": asked,
        "complete": done == asked,
        "counted": sum(Tally.decode(Tally.objects.get(vote=vote).counts)),
        "receipts": Receipt.objects.filter(vote=vote).count(),
        "pending": PendingBallot.objects.filter(vote=vote).count(),
        "cast_ms": summary(timings, 1000, 2),
        "cast_ms_first_tenth": summary(timings[:tenth], 1000, 2),
        "cast_ms_last_tenth": summary(timings[-tenth:], 1000, 2),
        "cast_ms_mean": round(sum(timings) * 1000 / done, 2) if done else None,
        "cpu_ms_per_cast": {
            "measuring": per_cast_ms(measuring_cpu, done),
            "database": per_cast_ms(database_cpu, done),
        },
        "tables_kb": {"before": tables_kb_before, "after": tables_kb()},
        "wal_kb_per_cast": round(wal_kb / done, 1) if wal_kb is not None and done else None,
        "jobs_queued": HUEY.pending_count(),
        "setup_s": round(setup_s, 3),
        "cast_s": round(cast_s, 3),
        "total_s": round(time.monotonic() - started, 3),
        "started_at": datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds"),
    }
