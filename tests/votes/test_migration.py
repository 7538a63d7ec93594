"""Upgrading a server with votes in it: the box of ballots becomes a tally per vote, the
receipts already handed out still say "counted", and the box is gone."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tocsin.core.crypto import blind_index
from tocsin.votes.models import Receipt, Tally, Vote
from tocsin.votes.services import casting, counting

from .conftest import close

BEFORE = [("votes", "0001_initial")]
AFTER = [("votes", "0002_tally_and_receipts")]
RECEIPTS = ["abcdefghjkmnpqrs", "bcdefghjkmnpqrst", "cdefghjkmnpqrstu"]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def a_box_of_ballots(old, atu, operators_unit, operators) -> int:
    """A vote of the six operators as the old code kept it: two Yes, one No, three blank."""
    now = timezone.now()
    vote = old.get_model("votes", "Vote").objects.create(
        code="oldvote234",
        organization_id=atu.pk,
        unit_id=operators_unit.pk,
        question="Do we accept the contract offer of January 12?",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        ballots_sent_at=now - timedelta(days=1),
    )
    options = old.get_model("votes", "VoteOption")
    yes = options.objects.create(vote=vote, label="Yes", position=1)
    no = options.objects.create(vote=vote, label="No", position=2)
    old.get_model("votes", "Elector").objects.bulk_create(
        old.get_model("votes", "Elector")(vote=vote, person_id=person.pk) for person in operators
    )
    old.get_model("votes", "PendingBallot").objects.bulk_create(
        old.get_model("votes", "PendingBallot")(vote=vote, person_id=person.pk)
        for person in operators[3:]
    )
    ballots = old.get_model("votes", "Ballot")
    for chosen, receipt in zip([yes, no, yes], RECEIPTS, strict=True):
        ballots.objects.create(
            vote=vote, option=chosen, receipt_hash=blind_index(receipt, casting.RECEIPT_PURPOSE)
        )
    ballots.objects.bulk_create(ballots(vote=vote) for _blank in range(3))
    return vote.pk


@pytest.mark.django_db(transaction=True)
def test_the_filled_ballots_become_the_tally_and_their_receipts_still_count(
    atu, operators_unit, operators
):
    try:
        old = migrate(BEFORE)
        vote_id = a_box_of_ballots(old, atu, operators_unit, operators)

        migrate(AFTER)

        vote = Vote.objects.get(pk=vote_id)
        assert Tally.objects.get(vote=vote).counts == Tally.encode([2, 1])
        assert Receipt.objects.filter(vote=vote).count() == 3
        assert all(counting.check_receipt(receipt) == vote for receipt in RECEIPTS)
        assert "votes_ballot" not in connection.introspection.table_names()
        outcome = counting.result(close(vote))
        assert [(o.label, n) for o, n in outcome.counts] == [("Yes", 2), ("No", 1)]
        assert outcome.voted == 3 and outcome.roll == 6
    finally:
        migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_going_back_refills_a_box_with_as_many_ballots(atu, operators_unit, operators):
    try:
        old = migrate(BEFORE)
        vote_id = a_box_of_ballots(old, atu, operators_unit, operators)
        migrate(AFTER)

        old = migrate(BEFORE)

        box = old.get_model("votes", "Ballot").objects.filter(vote_id=vote_id)
        assert Counter(box.values_list("option__label", flat=True)) == {
            "Yes": 2,
            "No": 1,
            None: 3,
        }
        assert sorted(box.exclude(receipt_hash=None).values_list("receipt_hash", flat=True)) == (
            sorted(blind_index(receipt, casting.RECEIPT_PURPOSE) for receipt in RECEIPTS)
        )
    finally:
        migrate(AFTER)
