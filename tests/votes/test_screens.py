"""The organizer's vote screens and the voter's ballot and receipt pages."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token
from tocsin.votes.models import Vote
from tocsin.votes.services import casting, counting
from tocsin.votes.services import links as ballot_links
from tocsin.votes.services import votes as vote_services

from .conftest import QUESTION, close, option


def vote_url(vote, name="votes:vote"):
    return reverse(name, kwargs={"org": vote.organization.slug, "vote": vote.code})


def form_data(voting_unit, **changes):
    now = timezone.localtime()
    data = {
        "question": QUESTION,
        "options": "Yes\nNo\n",
        "unit": voting_unit.code,
        "opens_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "quorum_kind": "percent",
        "quorum_value": "50",
    }
    data.update(changes)
    return data


def test_an_organizer_creates_a_vote_for_a_unit(organizer_client, atu, operators_unit):
    response = organizer_client.post(
        reverse("votes:vote_new", kwargs={"org": atu.slug}), form_data(operators_unit)
    )

    vote = Vote.objects.get()
    assert response.status_code == 302 and response["Location"] == vote_url(vote)
    assert [o.label for o in vote.options.order_by("position")] == ["Yes", "No"]
    assert (vote.unit, vote.quorum_kind, vote.quorum_value) == (operators_unit, "percent", 50)
    page = organizer_client.get(vote_url(vote)).content.decode()
    assert QUESTION in page and "Send the ballots now" in page


def test_every_wrong_field_is_named_and_nothing_is_stored(organizer_client, atu, operators_unit):
    response = organizer_client.post(
        reverse("votes:vote_new", kwargs={"org": atu.slug}),
        form_data(operators_unit, question="", options="Only one", unit="", quorum_value="x"),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"question", "options", "unit", "quorum_value"}
    assert "Question" in errors["question"][0]
    assert not Vote.objects.exists()


def test_a_close_before_the_opening_is_named(organizer_client, atu, operators_unit):
    response = organizer_client.post(
        reverse("votes:vote_new", kwargs={"org": atu.slug}),
        form_data(operators_unit, closes_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M")),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"closes_at"}


def test_the_organizer_sends_the_ballots_and_sees_turnout_as_a_count(
    organizer_client, vote, ana, ben
):
    casting.cast(ana, vote, option(vote, "Yes"))

    page = organizer_client.get(vote_url(vote)).content.decode()

    assert 'data-testid="roll">6<' in page and 'data-testid="voted">1<' in page
    assert 'data-testid="result"' not in page


def test_after_the_close_the_organizer_sees_the_counts(organizer_client, vote, ana, ben):
    casting.cast(ana, vote, option(vote, "Yes"))
    casting.cast(ben, vote, option(vote, "No"))
    close(vote)

    page = organizer_client.get(vote_url(vote)).content.decode()

    assert 'data-testid="result"' in page
    assert "Turnout: 2 of 6 on the roll (33%)." in page
    assert "Quorum not met: 3 ballots were needed." in page


def test_sending_the_ballots_of_an_empty_unit_says_why(organizer_client, atu):
    from tocsin.accounts.models import Unit

    from .conftest import new_vote

    empty = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    vote = new_vote(atu, empty)

    response = organizer_client.post(vote_url(vote, "votes:vote_send"), {"confirm": "yes"})

    assert response.status_code == 400
    assert "no active members" in response.content.decode()


def test_a_member_without_the_organizer_role_gets_404(client, vote, ana, atu):
    staffer = make_person(atu, Role.DISPATCHER, email="d@atu.test", password="dispatch horse 42")
    verified_client(client, staffer)

    assert client.get(vote_url(vote)).status_code == 404
    assert client.get(reverse("votes:votes", kwargs={"org": atu.slug})).status_code == 404


def test_the_ballot_link_in_the_message_opens_the_ballot_in_the_voters_language(vote, ana):
    alert = Alert.objects.get(kind=Alert.Kind.BALLOT)
    delivery = Delivery.objects.create(alert=alert, person=ana, channel="email")
    browser = Client()

    response = browser.get(
        reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}), follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert QUESTION in page and "Emitir mi voto" in page


def test_a_voter_casts_and_sees_the_receipt_once(vote, ana):
    browser = Client()
    url = ballot_links.ballot_path(vote, ana)

    response = browser.post(url, {"option": option(vote, "No").position})

    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt in response.content.decode()
    assert counting.check_receipt(receipt) == vote
    again = browser.get(url)
    assert "Ya votaste" in again.content.decode()
    assert receipt not in again.content.decode()


def test_a_second_ballot_from_the_page_is_refused(vote, ana):
    url = ballot_links.ballot_path(vote, ana)
    Client().post(url, {"option": 1})

    response = Client().post(url, {"option": 2})

    assert response.status_code == 409
    assert counting.turnout(vote) == 1


def test_a_ballot_without_a_choice_is_named(vote, ben):
    response = Client().post(ballot_links.ballot_path(vote, ben), {"option": "9"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"option"}
    assert not casting.has_voted(vote, ben)


def test_before_the_opening_the_ballot_says_when(atu, operators_unit, operators, ben):
    from .conftest import new_vote

    vote = vote_services.send_ballots(
        None, new_vote(atu, operators_unit, opens=timezone.now() + timedelta(hours=3))
    )

    response = Client().get(ballot_links.ballot_path(vote, ben))

    assert response.status_code == 200
    assert "Voting opens" in response.content.decode()
    assert Client().post(ballot_links.ballot_path(vote, ben), {"option": 1}).status_code == 400
    assert not casting.has_voted(vote, ben)


def test_a_forged_or_expired_ballot_link_is_a_clear_404(vote, ben):
    url = ballot_links.ballot_path(vote, ben)
    forged = Client().get(url.rstrip("/") + "x/")

    close(vote)
    expired = Client().get(url)

    for response in (forged, expired):
        assert response.status_code == 404
        assert "This ballot link does not work" in response.content.decode()


def test_the_receipt_check_says_counted_and_never_the_choice(vote, ben):
    receipt = casting.cast(ben, vote, option(vote, "No"))

    response = Client().post(reverse("votes:receipt"), {"receipt": receipt})

    page = response.content.decode()
    assert response.status_code == 200 and "Counted." in page
    assert "No</td>" not in page  # no result before the close, and never the ballot's own


def test_the_receipt_check_shows_the_result_after_the_close(vote, ben):
    receipt = casting.cast(ben, vote, option(vote, "No"))
    close(vote)

    page = Client().post(reverse("votes:receipt"), {"receipt": receipt}).content.decode()

    assert "Counted." in page and 'data-testid="result"' in page


def test_an_unknown_receipt_is_said_and_an_empty_one_named(db):
    unknown = Client().post(reverse("votes:receipt"), {"receipt": "abcd-efgh-jkmn-pqrs"})
    empty = Client().post(reverse("votes:receipt"), {"receipt": ""})

    assert "No ballot has this receipt code" in unknown.content.decode()
    assert empty.status_code == 400 and set(empty.context["form"].errors) == {"receipt"}


def test_the_pages_fit_a_phone(organizer_client, vote, atu):
    for url in (reverse("votes:votes", kwargs={"org": atu.slug}), vote_url(vote)):
        page = organizer_client.get(url).content.decode()
        assert 'name="viewport" content="width=device-width' in page
