"""Setting up a vote, its roll and ballots, casting, results, quorum and receipts."""

import struct
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import make_person
from tocsin.accounts.models import Membership
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert
from tocsin.votes.models import Elector, PendingBallot, Receipt, Tally, Vote
from tocsin.votes.services import casting, counting
from tocsin.votes.services import links as ballot_links
from tocsin.votes.services import votes as vote_services

from .conftest import QUESTION, close, new_vote, option


def errors_of(error: pytest.ExceptionInfo) -> set[str]:
    return set(error.value.message_dict)


def test_a_vote_needs_a_question_two_options_a_unit_and_a_window(atu):
    data = vote_services.VoteInput(
        question=" ",
        options=["Yes", " "],
        unit=None,
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=1),
        quorum_kind="percent",
        quorum_value=150,
    )
    with pytest.raises(ValidationError) as error:
        vote_services.create_vote(None, atu, data)

    assert errors_of(error) == {"question", "options", "unit", "closes_at", "quorum_value"}
    assert not Vote.objects.exists()


def test_options_must_differ(atu, operators_unit):
    with pytest.raises(ValidationError) as error:
        vote_services.create_vote(
            None,
            atu,
            vote_services.VoteInput(
                question=QUESTION,
                options=["Yes", "yes"],
                unit=operators_unit,
                opens_at=timezone.now(),
                closes_at=timezone.now() + timedelta(days=1),
            ),
        )
    assert errors_of(error) == {"options"}


def test_a_unit_of_another_organization_is_refused(atu, other_org):
    from tocsin.accounts.models import Unit

    theirs = Unit.objects.create(organization=other_org, name="Janitors")
    with pytest.raises(ValidationError) as error:
        new_vote(atu, theirs)
    assert errors_of(error) == {"unit"}


def test_sending_the_ballots_takes_the_roll_of_the_units_active_members(
    atu, operators_unit, operators, organizer
):
    Membership.objects.filter(person=operators[5]).update(active=False)
    make_person(atu, name="Someone Elsewhere")  # a member outside the unit

    vote = vote_services.send_ballots(organizer, new_vote(atu, operators_unit, organizer))

    on_roll = set(Elector.objects.filter(vote=vote).values_list("person", flat=True))
    assert on_roll == {person.pk for person in operators[:5]}
    assert PendingBallot.objects.filter(vote=vote).count() == 5
    assert Tally.objects.get(vote=vote).counts == "00000000,00000000"
    assert not Receipt.objects.filter(vote=vote).exists()
    alert = Alert.objects.get(kind=Alert.Kind.BALLOT)
    assert sorted(alert.audience["person_ids"]) == sorted(on_roll)
    assert alert.context["code"] == vote.code


def test_the_roll_does_not_change_after_the_ballots_went_out(vote, atu, operators_unit):
    newcomer = make_person(atu, name="New Operator")
    Membership.objects.filter(person=newcomer).update(unit=operators_unit)

    vote_services.send_ballots(None, vote)  # a second send changes nothing

    assert counting.roll_size(vote) == 6
    with pytest.raises(ValidationError) as error:
        casting.cast(newcomer, vote, option(vote, "Yes"))
    assert "roll" in str(error.value)


def test_a_unit_without_members_gets_no_ballots(atu, organizer):
    from tocsin.accounts.models import Unit

    empty = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    with pytest.raises(ValidationError) as error:
        vote_services.send_ballots(organizer, new_vote(atu, empty))
    assert errors_of(error) == {"unit"}


def test_ballots_go_out_by_themselves_when_the_vote_opens(atu, operators_unit, operators):
    later = new_vote(atu, operators_unit, opens=timezone.now() + timedelta(hours=1))
    due = new_vote(atu, operators_unit)

    assert vote_services.send_due_ballots() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.ballots_sent_at is not None and later.ballots_sent_at is None


def test_each_elector_casts_one_ballot_and_gets_a_receipt(vote, ana):
    receipt = casting.cast(ana, vote, option(vote, "Yes"))

    assert len(receipt) == casting.RECEIPT_LENGTH
    assert casting.has_voted(vote, ana)
    assert counting.turnout(vote) == 1
    assert counting.check_receipt(receipt) == vote


def test_a_second_ballot_is_refused_and_stores_nothing(vote, ana):
    casting.cast(ana, vote, option(vote, "Yes"))

    with pytest.raises(casting.AlreadyVoted):
        casting.cast(ana, vote, option(vote, "No"))

    assert Tally.objects.get(vote=vote).counts == "00000001,00000000"
    assert Receipt.objects.filter(vote=vote).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_minute_job_erases_only_while_a_vote_is_open_or_just_closed(vote):
    assert casting.erase_leftover_history()

    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(hours=2))

    assert not casting.erase_leftover_history()


def test_casting_writes_no_audit_entry(vote, ana):
    entries = AuditEntry.objects.count()

    casting.cast(ana, vote, option(vote, "Yes"))

    assert AuditEntry.objects.count() == entries


def test_a_ballot_before_the_opening_is_refused(atu, operators_unit, operators, ana):
    vote = vote_services.send_ballots(
        None, new_vote(atu, operators_unit, opens=timezone.now() + timedelta(hours=2))
    )

    with pytest.raises(ValidationError) as error:
        casting.cast(ana, vote, option(vote, "Yes"))

    assert "opens" in str(error.value)
    assert PendingBallot.objects.filter(vote=vote, person=ana).exists()


def test_a_ballot_after_the_close_is_refused(vote, ana):
    close(vote)

    with pytest.raises(ValidationError) as error:
        casting.cast(ana, vote, option(vote, "Yes"))

    assert "closed" in str(error.value)


def test_an_option_of_another_vote_is_refused(vote, ana, atu, operators_unit):
    other = new_vote(atu, operators_unit)
    with pytest.raises(ValidationError) as error:
        casting.cast(ana, vote, option(other, "Yes"))
    assert errors_of(error) == {"option"}


def test_results_are_hidden_until_the_close(vote, ana):
    casting.cast(ana, vote, option(vote, "Yes"))

    with pytest.raises(counting.ResultsHidden):
        counting.result(vote)


def test_after_the_close_the_result_shows_counts_turnout_and_a_met_quorum(vote, operators):
    for person, label in zip(operators[:4], ["Yes", "Yes", "No", "Yes"], strict=True):
        casting.cast(person, vote, option(vote, label))

    outcome = counting.result(close(vote))

    assert [(o.label, n) for o, n in outcome.counts] == [("Yes", 3), ("No", 1)]
    assert (outcome.voted, outcome.roll, outcome.turnout_percent) == (4, 6, 67)
    assert outcome.quorum_needed == 3 and outcome.quorum_met
    assert [o.label for o in outcome.winners] == ["Yes"]


def test_a_quorum_not_met_is_said(atu, operators_unit, operators):
    vote = vote_services.send_ballots(None, new_vote(atu, operators_unit, quorum=("count", 3)))
    casting.cast(operators[0], vote, option(vote, "No"))
    casting.cast(operators[1], vote, option(vote, "No"))

    outcome = counting.result(close(vote))

    assert outcome.voted == 2 and outcome.quorum_needed == 3
    assert not outcome.quorum_met


def test_an_unknown_receipt_is_not_counted(vote, ana):
    casting.cast(ana, vote, option(vote, "Yes"))

    assert counting.check_receipt("abcd-efgh-jkmn-pqrs") is None
    assert counting.check_receipt("") is None


def test_a_receipt_is_found_however_it_is_typed(vote, ana):
    receipt = casting.cast(ana, vote, option(vote, "Yes"))
    typed = "-".join(receipt[i : i + 4] for i in range(0, 16, 4)).upper()

    assert counting.check_receipt(f" {typed} ") == vote


def test_a_ballot_token_is_refused_when_forged_or_after_the_close(vote, ana):
    token = ballot_links.ballot_token(vote, ana)

    assert ballot_links.elector_for_token(token) == (vote, ana)
    assert ballot_links.elector_for_token(token[:-2] + "xx") is None
    close(vote)
    assert ballot_links.elector_for_token(token) is None


def decoded_forms(token: str) -> bytes:
    """What someone who finds a ballot link (in a log, a forwarded message) can read of it
    without the server's keys: its text and its base64, decoded as far as it goes."""
    import base64

    padded = token.split(":")[0] + "=" * (-len(token.split(":")[0]) % 4)
    try:
        return token.encode() + base64.urlsafe_b64decode(padded)
    except ValueError:
        return token.encode()


def test_a_ballot_link_names_nobody(vote, ana, ben):
    """The link itself must not say whose ballot it is, nor which vote: a link found in a
    log or a forwarded message tells nothing to someone without the server's keys."""
    token = ballot_links.ballot_token(vote, ana)
    readable = decoded_forms(token)

    for secret in (str(ana.public_id), ana.public_id.hex, vote.code, ana.display_name):
        assert secret.encode() not in readable
    assert ana.public_id.bytes not in readable
    assert struct.pack(">Q", ana.pk) not in readable and struct.pack(">Q", vote.pk) not in readable
    # Not JSON either (a lone "{" would turn up in one random link in eight).
    assert b'"p"' not in readable and b'{"' not in readable
    # The same person gets the same link; another person a link with nothing in common.
    assert ballot_links.ballot_token(vote, ana) == token
    other = ballot_links.ballot_token(vote, ben)
    assert other != token and len(other) == len(token) == 43


def test_a_ballot_link_sealed_with_another_key_is_refused_and_an_old_key_still_opens(
    vote, ana, settings
):
    """A link from another server (another secret key) is refused; after the secret key is
    rotated, a link made with the old one works while the old key is a fallback."""
    token = ballot_links.ballot_token(vote, ana)
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY = "another-server-secret-key-a8f3b2c1d9e7f6a5b4c3d2e1f0"
    settings.SECRET_KEY_FALLBACKS = []
    assert ballot_links.elector_for_token(token) is None

    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert ballot_links.elector_for_token(token) == (vote, ana)
