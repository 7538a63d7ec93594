"""The votes API: organizers create a vote, each person on its roll casts one ballot as the
token's person, and the result is refused with its reason until the close."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import fields_named
from tests.votes import conftest as bus_operators
from tests.votes.conftest import OPERATORS, close, new_vote
from tocsin.votes.models import Receipt, Tally, Vote
from tocsin.votes.services import casting, counting
from tocsin.votes.services import votes as vote_services

# The bus operators' fixtures, shared with tests/votes.
atu = bus_operators.atu
garage = bus_operators.garage
operators_unit = bus_operators.operators_unit
operators = bus_operators.operators
ana = bus_operators.ana
organizer = bus_operators.organizer
vote = bus_operators.vote


def body(voting_unit, **changes):
    now = timezone.now()
    data = {
        "organization": "atu-local-1005",
        "unit": voting_unit.code,
        "question": "Do we accept the contract offer of January 12?",
        "options": ["Yes", "No"],
        "opens_at": (now + timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=2)).isoformat(),
        "quorum": {"kind": "percent", "value": 50},
    }
    data.update(changes)
    return data


def test_an_organizer_creates_a_vote(api_as, organizer, operators_unit):
    response = api_as(organizer).post("/votes", body(operators_unit))

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["state"] == "draft" and answer["unit"] == operators_unit.code
    assert [o["label"] for o in answer["options"]] == ["Yes", "No"]
    assert Vote.objects.get(code=answer["id"]).quorum_value == 50


def test_times_without_an_offset_are_read_in_the_servers_time_zone(
    api_as, organizer, operators_unit
):
    opens = (timezone.localtime() + timedelta(hours=1)).replace(microsecond=0, tzinfo=None)
    closes = opens + timedelta(days=2)
    response = api_as(organizer).post(
        "/votes",
        body(operators_unit, opens_at=opens.isoformat(), closes_at=closes.isoformat()),
    )

    assert response.status_code == 201, response.content
    vote = Vote.objects.get()
    assert timezone.localtime(vote.opens_at).replace(tzinfo=None) == opens
    assert timezone.localtime(vote.closes_at).replace(tzinfo=None) == closes


def test_a_member_cannot_create_a_vote(api_as, ana, operators_unit):
    assert api_as(ana).post("/votes", body(operators_unit)).status_code == 404
    assert not Vote.objects.exists()


def test_bad_input_is_named_and_stores_nothing(api_as, organizer, operators_unit):
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api_as(organizer).post(
        "/votes", body(operators_unit, options=["Yes", "yes"], closes_at=past)
    )

    assert response.status_code == 422
    assert fields_named(response) == {"options", "closes_at"}
    assert not Vote.objects.exists()
    unknown = api_as(organizer).post("/votes", body(operators_unit, unit="nope"))
    assert unknown.status_code == 422 and fields_named(unknown) == {"unit"}


def test_an_elector_casts_one_ballot_and_gets_a_receipt(api_as, vote, ana):
    api = api_as(ana)

    first = api.post(f"/votes/{vote.code}/ballot", {"option": 2})
    second = api.post(f"/votes/{vote.code}/ballot", {"option": 1})

    assert first.status_code == 201
    assert counting.check_receipt(first.json()["receipt"]) == vote
    assert second.status_code == 409
    assert "already voted" in second.json()["detail"][0]["msg"]
    assert Tally.objects.get(vote=vote).counts == "00000000,00000001"
    assert Receipt.objects.filter(vote=vote).count() == 1


def test_an_unknown_option_is_named(api_as, vote, ana):
    response = api_as(ana).post(f"/votes/{vote.code}/ballot", {"option": 7})

    assert response.status_code == 422 and fields_named(response) == {"option"}
    assert not casting.has_voted(vote, ana)


def test_an_organizer_not_on_the_roll_cannot_cast(api_as, vote, organizer):
    response = api_as(organizer).post(f"/votes/{vote.code}/ballot", {"option": 1})

    assert response.status_code == 409
    assert "roll" in response.json()["detail"][0]["msg"]


def test_outsiders_get_404_for_every_operation(api_as, vote, outsider):
    api = api_as(outsider)

    assert api.get(f"/votes/{vote.code}").status_code == 404
    assert api.post(f"/votes/{vote.code}/ballot", {"option": 1}).status_code == 404
    assert api.get(f"/votes/{vote.code}/result").status_code == 404
    assert api.post("/votes", body(vote.unit)).status_code == 404


def test_the_result_is_refused_with_its_reason_while_open(api_as, vote, ana):
    api_as(ana).post(f"/votes/{vote.code}/ballot", {"option": 1})

    response = api_as(ana).get(f"/votes/{vote.code}/result")

    assert response.status_code == 409
    assert "hidden until the vote closes" in response.json()["detail"][0]["msg"]


def test_after_the_close_the_result_has_counts_turnout_and_quorum(
    api_as,
    vote,
    operators,
    organizer,
):
    for person, number in zip(operators[:4], [1, 1, 2, 1], strict=True):
        assert (
            api_as(person).post(f"/votes/{vote.code}/ballot", {"option": number}).status_code == 201
        )
    close(vote)

    answer = api_as(organizer).get(f"/votes/{vote.code}/result").json()

    assert [(c["label"], c["ballots"]) for c in answer["counts"]] == [("Yes", 3), ("No", 1)]
    assert (answer["voted"], answer["roll"]) == (4, len(OPERATORS))
    assert answer["quorum_needed"] == 3 and answer["quorum_met"] is True
    late = api_as(operators[5]).post(f"/votes/{vote.code}/ballot", {"option": 1})
    assert late.status_code == 409


def test_a_ballot_before_the_opening_is_refused(api_as, atu, operators_unit, ana):
    early = vote_services.send_ballots(
        None, new_vote(atu, operators_unit, opens=timezone.now() + timedelta(hours=2))
    )

    response = api_as(ana).post(f"/votes/{early.code}/ballot", {"option": 1})

    assert response.status_code == 409 and "opens" in response.json()["detail"][0]["msg"]
