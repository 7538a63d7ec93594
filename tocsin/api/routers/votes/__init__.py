"""Secret-ballot votes: organizers create them; each person on a vote's roll casts one
ballot as the token's own person; the result shows once the vote has closed.

Anyone who neither organizes the vote's organization nor is on its roll gets 404. No
operation says who voted or how; while a vote is open, its result is refused (409) with
the reason. Casting writes the pending ballots, the tally and the receipts and nothing else
of ours (decision 0011).
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.access import get_membership_for
from tocsin.api.access import ANY_PERSON, VOTE_READER
from tocsin.api.routers.common import READ, WRITE, state_conflict
from tocsin.votes.access import ORGANIZERS
from tocsin.votes.models import Vote
from tocsin.votes.services import casting, counting
from tocsin.votes.services import votes as vote_services

from .schemas import BallotIn, ReceiptOut, ResultOut, VoteIn, VoteOut

router = Router(tags=["votes"], auth=ANY_PERSON)


def refused(error: ValidationError, kind: str) -> Status:
    """409: the vote's state refuses this (not open yet, closed, voted, results hidden)."""
    return state_conflict("vote", [m for ms in error.message_dict.values() for m in ms], kind)


@router.post("/votes", response={201: VoteOut, **WRITE})
def create_vote(request: HttpRequest, payload: VoteIn) -> Status:
    """Create a vote for a unit (organizers and admins of the organization). Its ballots go
    out to the unit's active members when voting opens."""
    person = ANY_PERSON.of(request)
    membership = get_membership_for(person, payload.organization, ORGANIZERS)
    organization = membership.organization
    unit = organization.units.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": _("Choose a unit of this organization.")})
    vote = vote_services.create_vote(
        person,
        organization,
        vote_services.VoteInput(
            question=payload.question,
            options=list(payload.options),
            unit=unit,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
            quorum_kind=payload.quorum.kind,
            quorum_value=payload.quorum.value,
        ),
    )
    return Status(201, vote)


@router.get(
    "/votes/{vote}",
    response={200: VoteOut, **READ},
    auth=VOTE_READER,
)
def get_vote(request: HttpRequest, vote: str) -> Vote:
    """Show a vote: its question, numbered options, window, quorum and state."""
    return VOTE_READER.of(request).vote


@router.post(
    "/votes/{vote}/ballot",
    response={201: ReceiptOut, **WRITE},
    auth=VOTE_READER,
)
def cast_ballot(request: HttpRequest, vote: str, payload: BallotIn) -> Status:
    """Cast the token's person's one ballot. 409 when voting is not open, when they are not
    on the roll, or when they have voted already (nothing is stored then)."""
    access = VOTE_READER.of(request)
    found = access.vote
    chosen = found.options.filter(position=payload.option).first()
    if chosen is None:
        raise ValidationError({"option": _("Choose one of the vote's options.")})
    try:
        receipt = casting.cast(access.person, found, chosen)
    except ValidationError as error:
        if "option" in error.message_dict:
            raise
        return refused(error, "refused")
    return Status(201, {"receipt": receipt})


@router.get(
    "/votes/{vote}/result",
    response={200: ResultOut, **WRITE},
    auth=VOTE_READER,
)
def get_vote_result(request: HttpRequest, vote: str):
    """Counts per option, turnout and quorum, once the vote has closed; 409 before."""
    found = VOTE_READER.of(request).vote
    try:
        outcome = counting.result(found)
    except counting.ResultsHidden as error:
        return refused(error, "hidden")
    return {
        "id": found.code,
        "question": found.question,
        "counts": [
            {"number": option.position, "label": option.label, "ballots": count}
            for option, count in outcome.counts
        ],
        "roll": outcome.roll,
        "voted": outcome.voted,
        "quorum_needed": outcome.quorum_needed,
        "quorum_met": outcome.quorum_met,
    }
