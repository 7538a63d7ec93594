"""The demo's votes: a closed vote of the bus operators with its result, and an open one."""

from datetime import date

from tocsin.demo import votes as demo
from tocsin.demo import world
from tocsin.votes.models import Vote
from tocsin.votes.services import counting


def test_the_demo_holds_a_closed_vote_with_a_result_and_an_open_one(atu, operators_unit, operators):
    for _run in range(2):  # loading twice changes nothing
        demo.load({world.ATU_1005: atu}, {}, {world.VOTES_UNIT: operators_unit})

    closed = Vote.objects.get(question=world.CLOSED_VOTE_QUESTION)
    opened = Vote.objects.get(question=world.OPEN_VOTE_QUESTION)
    assert Vote.objects.count() == 2
    assert closed.state == Vote.State.CLOSED and opened.state == Vote.State.OPEN
    outcome = counting.result(closed)
    assert outcome.roll == len(operators) and outcome.voted == 4
    assert [o.label for o in outcome.winners] == ["Yes"]
    assert counting.roll_size(opened) == len(operators) and counting.turnout(opened) == 0


def test_the_open_votes_days_are_named_with_their_weekday_in_the_demos_year(
    atu, operators_unit, operators
):
    demo.load({world.ATU_1005: atu}, {}, {world.VOTES_UNIT: operators_unit})

    opened = Vote.objects.get(question=world.OPEN_VOTE_QUESTION)
    labels = list(opened.options.order_by("position").values_list("label", flat=True))
    assert len(labels) == 3
    year = world.action_year()
    for label in labels:
        weekday, month_day = label.split(", ")
        month, day = month_day.split()
        assert month == "January"
        assert weekday == date(year, 1, int(day)).strftime("%A"), (label, year)


def test_the_open_votes_days_follow_the_demos_january_from_year_to_year():
    for today in (date(2026, 12, 7), date(2027, 1, 20), date(2027, 1, 21), date(2031, 6, 1)):
        year = world.action_year(today)
        for label, day in zip(world.open_vote_options(year), (26, 28, 30), strict=True):
            assert label == f"{date(year, 1, day).strftime('%A')}, January {day}", year
