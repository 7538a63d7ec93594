"""The issue's proof: with full database access one cannot tell how a given member voted.

Every column of every row of every table is read with SQL, as the database holds it. Two
worlds differ only in who chose what: in one Ana votes Yes and Ben No, in the other Ana No
and Ben Yes, in the same order, through the same page. Once random values (UUIDs, the
receipts' keyed hashes) are masked, both worlds hold exactly the same rows.
"""

import re
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField
from django.test import Client

from tocsin.api.services.tokens import issue_token
from tocsin.votes import services
from tocsin.votes.models import Ballot

from .conftest import OPERATORS, option

MASK = "<random>"
# A UUID in any of its stored forms, and a SHA-256 hex digest (the receipt's keyed hash).
RANDOM_TEXT = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64})$"
)


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
    url = services.ballot_path(vote, person)
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
        # The box holds the two ballots cast.
        assert Counter(
            Ballot.objects.filter(vote=vote).values_list("option__label", flat=True)
        ) == {
            "Yes": 1,
            "No": 1,
            None: len(OPERATORS) - 2,
        }
        return dump_masked()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_two_worlds_where_ana_and_ben_swap_their_votes_hold_the_same_rows(vote, ana, ben):
    first = world(vote, ana, ben, "Yes", "No")
    second = world(vote, ana, ben, "No", "Yes")

    # Both worlds hold a Yes and a No, and nothing anywhere tells which of them is Ana's.
    assert changed_tables(first, second) == set()
    assert first == second


def test_casting_writes_only_the_ballot_box_and_the_pending_ballots(vote, ana):
    before = dump()

    vote_on_the_page(vote, ana, "Yes")

    after = dump()
    assert changed_tables(before, after) == {"votes_ballot", "votes_pendingballot"}
    # No row is added anywhere: a blank ballot, made with the roll, was filled in, so the
    # box's keys and places say nothing about the order ballots were cast in.
    assert after["votes_ballot"].total() == before["votes_ballot"].total()
    assert after["votes_pendingballot"].total() == before["votes_pendingballot"].total() - 1
    assert {row[0] for row in after["votes_ballot"]} == {row[0] for row in before["votes_ballot"]}


def test_casting_through_the_api_writes_the_box_and_at_most_the_tokens_last_use(vote, ana, client):
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
        "votes_ballot",
        "votes_pendingballot",
        "api_apitoken",
    }


def test_no_column_of_the_ballot_box_refers_to_a_person_or_a_time():
    fields = {field.name: field for field in Ballot._meta.concrete_fields}

    assert set(fields) == {"id", "vote", "option", "receipt_hash"}
    related = {field.related_model._meta.label for field in fields.values() if field.is_relation}
    assert related == {"votes.Vote", "votes.VoteOption"}
    assert not [f for f in fields.values() if isinstance(f, DateField | DateTimeField)]
    assert isinstance(fields["id"], type(Ballot._meta.pk)) and Ballot._meta.pk.name == "id"
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"


def test_the_receipt_shown_to_the_voter_is_nowhere_in_the_database(vote, ana):
    receipt = services.cast(ana, vote, option(vote, "Yes"))

    rows = repr(dump())
    assert receipt not in rows
    assert services.check_receipt(receipt) == vote


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the hidden rowid is SQLite's")
def test_the_sqlite_rowids_of_the_box_were_all_given_before_the_first_ballot(vote, ana, ben):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, id FROM votes_ballot ORDER BY rowid")
        before = cursor.fetchall()
    services.cast(ana, vote, option(vote, "Yes"))
    services.cast(ben, vote, option(vote, "No"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, id FROM votes_ballot ORDER BY rowid")
        assert cursor.fetchall() == before


def row_versions(vote) -> dict:
    """Each ballot of the vote's box: its option, and PostgreSQL's stamp (xmin) and place
    (ctid) of the row version that holds it now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, option_id, xmin::text, ctid::text FROM votes_ballot WHERE vote_id = %s",
            [vote.pk],
        )
        return {ballot: (option_id, xmin, ctid) for ballot, option_id, xmin, ctid in cursor}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin and ctid are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_postgresqls_row_versions_do_not_single_out_the_ballot_just_cast(vote, operators):
    """Each update writes a new row version, stamped (xmin) with its transaction and placed
    (ctid) where it lands: filling one ballot per cast would leave each filled ballot
    stamped with its own cast, so the box would read in the order people voted, with plain
    SQL. Each cast rewrites the whole box instead (a box of up to REWRITTEN_WITH_A_CAST):
    every ballot takes the same stamp and a new place, the one filled no differently."""

    for person, choice in zip(operators[:4], ["Yes", "No", "No", "Yes"], strict=True):
        before = row_versions(vote)
        services.cast(person, vote, option(vote, choice))
        after = row_versions(vote)

        assert len({xmin for _option, xmin, _ctid in after.values()}) == 1
        assert all(after[ballot][2] != ctid for ballot, (*_, ctid) in before.items())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin and ctid are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_in_a_large_unit_the_ballot_just_cast_hides_among_those_rewritten_with_it(
    vote, operators, monkeypatch
):
    """Above REWRITTEN_WITH_A_CAST electors a cast rewrites that many ballots, drawn at
    random, not the whole box: here 3 of the 6 operators' ballots."""
    monkeypatch.setattr(services, "REWRITTEN_WITH_A_CAST", 3)

    for person, choice in zip(operators[:4], ["Yes", "No", "No", "Yes"], strict=True):
        before = row_versions(vote)
        services.cast(person, vote, option(vote, choice))
        after = row_versions(vote)

        (cast,) = [b for b in after if after[b][0] is not None and before[b][0] is None]
        stamped_with_it = [b for b in after if after[b][1] == after[cast][1]]
        assert len(stamped_with_it) == 3


def test_the_dump_does_show_who_has_voted_as_the_roll_must(vote, ana, ben):
    """The same reading tells Ana's turnout from Ben's: the proof above is not blind."""
    savepoint = transaction.savepoint_create()
    vote_on_the_page(vote, ana, "Yes")
    only_ana = dump_masked()
    transaction.savepoint_rollback(savepoint)
    vote_on_the_page(vote, ben, "Yes")

    assert changed_tables(only_ana, dump_masked()) == {"votes_pendingballot"}
