"""A ballot sent before its vote opens says when it opens; a time ending in "a.m." ends its
sentence with one period."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tocsin.votes.services import links as ballot_links
from tocsin.votes.services import votes as vote_services

from .conftest import new_vote


def tomorrow_at_11_25():
    return timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        hour=11, minute=25, second=0, microsecond=0
    )


def test_a_ballot_sent_before_the_vote_opens_says_when_it_opens(
    atu, operators_unit, operators, organizer, smtp_server, sent
):
    opens = tomorrow_at_11_25()
    vote = new_vote(atu, operators_unit, organizer, opens=opens, closes=opens + timedelta(days=2))

    with sent():
        vote_services.send_ballots(organizer, vote)

    bodies = {m["to"][0]: m["body"] for m in smtp_server.wait_for(len(operators))}
    english, spanish = bodies["ben@atu.test"], bodies["ana@atu.test"]
    assert f"Voting opens {opens:%Y-%m-%d} 11:25 and closes" in english
    assert "Voting is open" not in english
    assert f"La votación abre el {opens:%Y-%m-%d} 11:25 y cierra" in spanish


def test_a_ballot_sent_once_the_vote_is_open_says_it_is_open(
    atu, operators_unit, operators, organizer, smtp_server, sent
):
    with sent():
        vote_services.send_ballots(organizer, new_vote(atu, operators_unit, organizer))

    bodies = {m["to"][0]: m["body"] for m in smtp_server.wait_for(len(operators))}
    assert "Voting is open from" in bodies["ben@atu.test"]


def test_the_ballot_page_before_the_vote_opens_ends_its_sentence_once(
    atu, operators_unit, ben, organizer
):
    opens = tomorrow_at_11_25()
    vote = new_vote(atu, operators_unit, organizer, opens=opens, closes=opens + timedelta(days=2))
    vote_services.take_roll(vote)

    page = Client().get(ballot_links.ballot_path(vote, ben)).content.decode()

    assert "11:25 a.m. Come back to this same link then." in page
    assert "a.m.." not in page and "p.m.." not in page
