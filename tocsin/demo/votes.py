"""The demo world's part in tocsin.votes, loaded by tocsin.demo.services.load_demo: one
closed vote of ATU Local 1005's bus operators with its result, and one open vote whose
ballots are in the demo outbox."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Organization, Site, Unit
from tocsin.votes.models import Vote
from tocsin.votes.services import casting
from tocsin.votes.services import votes as vote_services

from . import world


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create what the demo needs here, once (running it again changes nothing)."""
    atu = organizations[world.ATU_1005]
    operators = units[world.VOTES_UNIT]
    now = timezone.now()
    if not Vote.objects.filter(organization=atu, question=world.CLOSED_VOTE_QUESTION).exists():
        load_closed_vote(atu, operators, now)
    if not Vote.objects.filter(organization=atu, question=world.OPEN_VOTE_QUESTION).exists():
        vote = vote_services.create_vote(
            None,
            atu,
            vote_input(
                world.OPEN_VOTE_QUESTION,
                world.open_vote_options(world.action_year()),
                operators,
                now - timedelta(hours=1),
                now + timedelta(days=7),
            ),
        )
        vote_services.send_ballots(None, vote)


def vote_input(question, options, unit, opens_at, closes_at) -> vote_services.VoteInput:
    return vote_services.VoteInput(
        question=question,
        options=list(options),
        unit=unit,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_kind=Vote.QuorumKind.PERCENT,
        quorum_value=world.VOTE_QUORUM_PERCENT,
    )


@transaction.atomic
def load_closed_vote(atu: Organization, operators: Unit, now) -> Vote:
    """A vote that ran for a week and closed three days ago. Its roll is taken without
    sending ballots (they would be long expired), and its ballots cast as any other."""
    vote = vote_services.create_vote(
        None,
        atu,
        vote_input(
            world.CLOSED_VOTE_QUESTION,
            world.CLOSED_VOTE_OPTIONS,
            operators,
            now - timedelta(minutes=1),
            now + timedelta(minutes=10),
        ),
    )
    vote_services.take_roll(vote)
    options = list(vote.options.order_by("position"))
    electors = list(vote.electors.select_related("person").order_by("person_id"))
    choices = [
        option
        for option, count in zip(options, world.CLOSED_VOTE_BALLOTS, strict=True)
        for _ballot in range(count)
    ]
    # Of every 40 electors, the first 29 voted: a share of whatever roll the demo has.
    share = len(electors) / 40
    for elector, option in zip(electors, choices[: round(len(choices) * share)], strict=False):
        casting.cast(elector.person, vote, option)
    opened = now - timedelta(days=10)
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=opened, ballots_sent_at=opened, closes_at=now - timedelta(days=3)
    )
    return vote
