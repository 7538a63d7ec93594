"""The demo's votes: a closed vote of the bus operators with its result, and an open one."""

from tocsin.demo import world
from tocsin.votes import demo, services
from tocsin.votes.models import Vote


def test_the_demo_holds_a_closed_vote_with_a_result_and_an_open_one(atu, operators_unit, operators):
    for _run in range(2):  # loading twice changes nothing
        demo.load({world.ATU_1005: atu}, {}, {world.VOTES_UNIT: operators_unit})

    closed = Vote.objects.get(question=world.CLOSED_VOTE_QUESTION)
    opened = Vote.objects.get(question=world.OPEN_VOTE_QUESTION)
    assert Vote.objects.count() == 2
    assert closed.state == Vote.State.CLOSED and opened.state == Vote.State.OPEN
    outcome = services.result(closed)
    assert outcome.roll == len(operators) and outcome.voted == 4
    assert [o.label for o in outcome.winners] == ["Yes"]
    assert services.roll_size(opened) == len(operators) and services.turnout(opened) == 0
