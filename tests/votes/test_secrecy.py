"""The issue's proof in SQL: with every row of every table, one cannot tell how a member voted.

Every column of every row of every table is read with SQL, as the database holds it. Two
worlds differ only in who chose what: in one Ana votes Yes and Ben No, in the other Ana No
and Ben Yes, in the same order, through the same page. Once random values (the receipts'
keyed hashes) are masked, both worlds hold exactly the same rows. Below SQL, the files of a
seized server and its logs, the same proof is tests/security/test_seized_server_ballots.py;
here also what the database keeps of replaced versions after a cast.
"""

import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField
from django.test import Client
from django.utils import timezone

from tocsin.api.services.tokens import issue_token
from tocsin.votes.models import PendingBallot, Receipt, Tally, Vote, VoteOption
from tocsin.votes.services import casting, counting
from tocsin.votes.services import links as ballot_links

from .conftest import option

MASK = "<random>"
# A UUID in any of its stored forms, and a SHA-256 hex digest (the receipt's keyed hash).
RANDOM_TEXT = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64})$"
)
# The tally's text after Ana's Yes and before Ben's No, in the test_*_history tests.
AFTER_ANA = Tally.encode([1, 0])


def masked(value):
    if isinstance(value, uuid.UUID):
        return MASK
    if isinstance(value, str) and RANDOM_TEXT.match(value):
        return MASK
    return value


def dump() -> dict[str, Counter]:
    """Every row of every table (each column, as stored), as a multiset per table."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            tables[table] = Counter(tuple(row) for row in cursor.fetchall())
    return tables


def dump_masked() -> dict[str, Counter]:
    return {
        table: Counter({tuple(masked(value) for value in row): n for row, n in rows.items()})
        for table, rows in dump().items()
    }


def changed_tables(before: dict, after: dict) -> set[str]:
    return {
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    }


def vote_on_the_page(vote, person, label):
    """Cast as a voter does: open the ballot link in a fresh browser, choose, cast."""
    browser = Client()
    url = ballot_links.ballot_path(vote, person)
    assert browser.get(url).status_code == 200
    response = browser.post(url, {"option": option(vote, label).position})
    assert response.status_code == 200, response.content
    return response


def world(vote, ana, ben, ana_chooses, ben_chooses) -> dict[str, Counter]:
    """Cast both ballots inside a savepoint, read every table, and undo it."""
    savepoint = transaction.savepoint_create()
    try:
        vote_on_the_page(vote, ana, ana_chooses)
        vote_on_the_page(vote, ben, ben_chooses)
        # The tally holds the two ballots cast, and nothing holds a ballot.
        assert Tally.decode(Tally.objects.get(vote=vote).counts) == [1, 1]
        return dump_masked()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_two_worlds_where_ana_and_ben_swap_their_votes_hold_the_same_rows(vote, ana, ben):
    first = world(vote, ana, ben, "Yes", "No")
    second = world(vote, ana, ben, "No", "Yes")

    # Both worlds hold a Yes and a No, and nothing anywhere tells which of them is Ana's.
    assert changed_tables(first, second) == set()
    assert first == second


def test_casting_writes_only_the_pending_ballots_the_tally_and_a_receipt(vote, ana):
    before = dump()

    vote_on_the_page(vote, ana, "Yes")

    after = dump()
    assert changed_tables(before, after) == {
        "votes_pendingballot",
        "votes_tally",
        "votes_receipt",
    }
    # No ballot row appears anywhere: the tally's one row changed, one receipt was added.
    assert after["votes_tally"].total() == before["votes_tally"].total()
    assert after["votes_receipt"].total() == before["votes_receipt"].total() + 1
    assert after["votes_pendingballot"].total() == before["votes_pendingballot"].total() - 1


def test_casting_through_the_api_writes_the_same_and_at_most_the_tokens_last_use(vote, ana, client):
    """Decision 0011: the API's bearer token keeps its last use to the minute; that says
    when Ana used the API, never how she voted."""
    _api_token, token = issue_token(ana, name="phone")
    before = dump()

    response = client.post(
        f"/api/v1/votes/{vote.code}/ballot",
        {"option": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.content
    assert changed_tables(before, dump()) <= {
        "votes_pendingballot",
        "votes_tally",
        "votes_receipt",
        "api_apitoken",
    }


def test_no_table_keeps_a_ballot_or_puts_a_choice_beside_a_person_or_a_time():
    votes = apps.get_app_config("votes").get_models()
    choosing = [
        model
        for model in votes
        if model is not VoteOption
        and any(field.related_model is VoteOption for field in model._meta.concrete_fields)
    ]
    tally = {field.name for field in Tally._meta.concrete_fields}
    receipt = {field.name for field in Receipt._meta.concrete_fields}

    assert choosing == []  # no row anywhere names an option: the counts are the tally's text
    assert tally == {"vote", "counts"} and Tally._meta.pk.name == "vote"
    assert receipt == {"receipt_hash", "vote"} and Receipt._meta.pk.name == "receipt_hash"
    for model in (Tally, Receipt):
        assert not [
            f for f in model._meta.concrete_fields if isinstance(f, DateField | DateTimeField)
        ]


def test_the_receipt_shown_to_the_voter_is_nowhere_in_the_database(vote, ana):
    receipt = casting.cast(ana, vote, option(vote, "Yes"))

    rows = repr(dump())
    assert receipt not in rows
    assert counting.check_receipt(receipt) == vote


def test_the_dump_does_show_who_has_voted_as_the_roll_must(vote, ana, ben):
    """The same reading tells Ana's turnout from Ben's: the proof above is not blind."""
    savepoint = transaction.savepoint_create()
    vote_on_the_page(vote, ana, "Yes")
    only_ana = dump_masked()
    transaction.savepoint_rollback(savepoint)
    vote_on_the_page(vote, ben, "Yes")

    assert changed_tables(only_ana, dump_masked()) == {"votes_pendingballot"}


# Below SQL: what the database keeps of the versions a cast replaced.


def raw_sqlite_files() -> bytes:
    name = Path(connection.settings_dict["NAME"])
    return b"".join(path.read_bytes() for path in (name, Path(f"{name}-wal")) if path.exists())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")
@pytest.mark.django_db(transaction=True)
def test_after_a_cast_sqlites_files_keep_no_earlier_count(vote, ana, ben):
    """Each commit appends the pages it changed to the write-ahead log, and a checkpoint
    copies them into the file but leaves them in the log until they are overwritten: the
    log would list the tally after each cast, in order. A cast truncates it instead."""
    casting.cast(ana, vote, option(vote, "Yes"))
    casting.cast(ben, vote, option(vote, "No"))

    wal = Path(f"{connection.settings_dict['NAME']}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    files = raw_sqlite_files()
    assert Tally.encode([1, 1]).encode() in files
    assert AFTER_ANA.encode() not in files


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")
@pytest.mark.django_db(transaction=True)
def test_a_reader_holding_an_old_snapshot_delays_the_erasing_not_the_cast(vote, ana, ben):
    """A checkpoint cannot truncate the log while someone reads an older snapshot: the cast
    still gives its receipt, and the next erasing (a cast's, the minute job's) empties it."""
    import sqlite3

    reader = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM votes_tally").fetchone()
    try:
        receipt = casting.cast(ana, vote, option(vote, "Yes"))
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        assert wal.stat().st_size > 0
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert counting.check_receipt(receipt) == vote

    assert casting.erase_leftover_history()
    assert wal.stat().st_size == 0


def heap_items(table: str) -> list[tuple]:
    """Every line pointer of every page of the table, through pageinspect: its flags and
    the bytes of the row version it points to (dead versions included)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        (pages,) = cursor.fetchone()
        items = []
        for page in range(pages):
            cursor.execute(
                "SELECT lp_flags, t_data FROM heap_page_items(get_raw_page(%s, %s))",
                [table, page],
            )
            items += cursor.fetchall()
        return items


def raw_postgresql_pages(table: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        (pages,) = cursor.fetchone()
        raw = b""
        for page in range(pages):
            cursor.execute("SELECT get_raw_page(%s, %s)", [table, page])
            raw += bytes(cursor.fetchone()[0])
        return raw


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's row versions, read with pageinspect"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_after_a_cast_postgresql_keeps_no_dead_version_of_the_tally_or_a_pending_ballot(
    vote, ana, ben
):
    """An UPDATE leaves the old version of the row behind (the counts before the cast), a
    DELETE leaves the pending ballot with the casting transaction as its xmax, both readable
    with pageinspect until VACUUM removes them; a cast VACUUMs once it commits. From pages
    as the minute job leaves them (rewritten), that leaves no earlier count anywhere."""
    assert casting.erase_casting_history(full=True)
    casting.cast(ana, vote, option(vote, "Yes"))
    casting.cast(ben, vote, option(vote, "No"))

    for model in (Tally, PendingBallot):
        versions = [data for flags, data in heap_items(model._meta.db_table) if flags == 1]
        assert len(versions) == model.objects.count(), versions
    assert AFTER_ANA.encode() not in raw_postgresql_pages("votes_tally")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_minute_job_erases_the_counts_a_long_transaction_kept(vote, operators):
    """While a transaction that started before a cast is open (a long export, a backup),
    VACUUM may not remove what the cast replaced, and once it can, PostgreSQL leaves the
    removed bytes in the page's free space: the counts after Ana's cast stay readable. The
    minute job rewrites the tally's table, which leaves nothing of them."""
    import psycopg

    ana, ben, carla = operators[:3]
    settings = connection.settings_dict
    reader = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    with reader:
        reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM votes_tally").fetchone()
        casting.cast(ana, vote, option(vote, "Yes"))
        casting.cast(ben, vote, option(vote, "No"))
    casting.cast(carla, vote, option(vote, "No"))  # its VACUUM can remove them now
    assert AFTER_ANA.encode() in raw_postgresql_pages("votes_tally")

    assert casting.erase_leftover_history()

    raw = raw_postgresql_pages("votes_tally")
    assert AFTER_ANA.encode() not in raw
    assert Tally.encode([1, 2]).encode() in raw


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_cast_whose_vacuum_must_wait_still_gives_its_receipt(vote, ana):
    """Someone holds a lock that VACUUM needs (another VACUUM, an ANALYZE): the cast's
    VACUUM gives up after ERASE_WAIT_MS, the cast has committed and shows its receipt."""
    import psycopg

    settings = connection.settings_dict
    blocker = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    with blocker:
        blocker.execute("LOCK TABLE votes_tally IN SHARE UPDATE EXCLUSIVE MODE")
        receipt = casting.cast(ana, vote, option(vote, "Yes"))
    assert counting.check_receipt(receipt) == vote
    assert counting.turnout(vote) == 1


def tally_page(vote) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (ctid::text::point)[0] FROM votes_tally WHERE vote_id = %s", [vote.pk]
        )
        return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_casts_new_count_stays_in_its_page_among_many_votes(vote, ana, ben, atu):
    """The tally's pages are filled only half (migration 0002), so a cast's new version fits
    beside the old one (a HOT update): in a full page it would move to another page, and
    VACUUM, removing the old version, can leave its bytes where it was."""
    now = timezone.now()
    others = Vote.objects.bulk_create(
        Vote(organization=atu, question=f"Question {n}", opens_at=now, closes_at=now)
        for n in range(300)
    )
    Tally.objects.bulk_create(Tally(vote=other, counts=Tally.encode([0, 0])) for other in others)
    page = tally_page(vote)

    casting.cast(ana, vote, option(vote, "Yes"))
    casting.cast(ben, vote, option(vote, "No"))

    assert tally_page(vote) == page
