"""A member's votes page: where an operator finds her ballot again after the message's link
has expired, sees that she voted (never how), and reads the result once voting closes."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person, member_client
from tocsin.accounts.models import Unit
from tocsin.votes.models import Vote
from tocsin.votes.services import casting
from tocsin.votes.services import links as ballot_links
from tocsin.votes.services import votes as vote_services

from .conftest import QUESTION, close, new_vote, option

PAGE = reverse("votes:my_votes")


def test_her_open_vote_links_to_her_own_ballot(client, vote, ana):
    member_client(client, ana)

    page = client.get(PAGE).content.decode()

    assert QUESTION in page
    ballot = ballot_links.ballot_path(vote, ana)
    assert f'href="{ballot}"' in page
    assert client.get(ballot).status_code == 200


def test_once_she_voted_it_says_so_and_offers_no_ballot(client, vote, ana):
    casting.cast(ana, vote, option(vote, "No"))
    member_client(client, ana)

    page = client.get(PAGE).content.decode()

    assert 'data-testid="voted"' in page
    assert ballot_links.ballot_path(vote, ana) not in page
    assert ">No<" not in page  # her choice is nowhere, not even to herself


def test_after_the_close_she_reads_the_counts_turnout_and_quorum(client, vote, ana, ben):
    casting.cast(ana, vote, option(vote, "No"))
    casting.cast(ben, vote, option(vote, "Yes"))
    close(vote)
    member_client(client, ana)

    page = client.get(PAGE).content.decode()

    assert "Participación: 2 de 6 en el padrón (33%)." in page
    assert ballot_links.ballot_path(vote, ana) not in page


def test_it_lists_only_votes_whose_roll_she_is_on(client, atu, vote, ana, organizer):
    drivers = Unit.objects.create(organization=atu, name="Light rail operators")
    make_person(atu, name="Rita Rail").memberships.update(unit=drivers)
    other = vote_services.send_ballots(organizer, new_vote(atu, drivers, organizer))
    Vote.objects.filter(pk=other.pk).update(question="Light rail: accept the schedule?")
    member_client(client, ana)

    page = client.get(PAGE).content.decode()

    assert QUESTION in page
    assert "Light rail" not in page


def test_a_vote_closed_long_ago_leaves_the_page(client, vote, ana):
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(days=120), closes_at=timezone.now() - timedelta(days=91)
    )
    member_client(client, ana)

    page = client.get(PAGE).content.decode()

    assert QUESTION not in page
    assert "Ninguna votación te pide tu voto ahora." in page


def test_a_vote_not_yet_sent_is_not_listed(client, atu, operators_unit, ana, organizer):
    new_vote(atu, operators_unit, organizer)  # no roll yet, so nobody is asked
    member_client(client, ana)

    assert QUESTION not in client.get(PAGE).content.decode()


def test_a_visitor_without_a_member_session_is_sent_to_ask_for_a_link(client, vote):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url == reverse("joining:member_link_request")
