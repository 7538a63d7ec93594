"""Secret-ballot votes: organizers create them; each person on a vote's roll casts one
ballot as the token's own person; the result shows once the vote has closed.

Anyone who neither organizes the vote's organization nor is on its roll gets 404. No
operation says who voted or how; while a vote is open, its result is refused (409) with
the reason. Casting writes the pending ballots, the tally and the receipts and nothing else
of ours (decision 0011).
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Person
from tocsin.votes import services
from tocsin.votes.access import ORGANIZERS, get_vote_for_reader
from tocsin.votes.models import Vote

from ..access import BEARER, path_argument
from ..auth import ANY_PERSON
from ..schemas import Input, Moment, text
from .common import READ, WRITE, state_conflict

router = Router(tags=["votes"], auth=ANY_PERSON)

QuorumKind = Literal[tuple(Vote.QuorumKind.values)]  # type: ignore[valid-type]
VoteState = Literal[tuple(Vote.State.values)]  # type: ignore[valid-type]


def vote_reader(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.vote to the `vote` path argument's vote if the
    person organizes its organization or is on its roll, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        request.vote, request.organizes = get_vote_for_reader(
            person, path_argument(request, "vote")
        )
    return person


class QuorumIn(Input):
    kind: QuorumKind = "percent"
    value: int = Field(0, ge=0, le=100_000, description="a percentage (50) or a count; 0: none")


class VoteIn(Input):
    organization: str = Field(description="the organization's short name")
    unit: str = Field(description="the code of the unit that votes")
    question: text(services.MAX_QUESTION)
    options: list[text(services.MAX_OPTION)] = Field(
        min_length=2, max_length=services.MAX_OPTIONS, description="the choices, in order"
    )
    opens_at: Moment
    closes_at: Moment
    quorum: QuorumIn = Field(default_factory=QuorumIn)


class OptionOut(Schema):
    number: int = Field(description="the option's number on the ballot, to cast it")
    label: str

    @staticmethod
    def resolve_number(option) -> int:
        return option.position


class VoteOut(Schema):
    id: str
    organization: str
    unit: str | None = Field(description="the unit's code (null once the unit is deleted)")
    question: str
    options: list[OptionOut]
    opens_at: datetime
    closes_at: datetime
    quorum: QuorumIn
    state: VoteState
    ballots_sent: bool

    @staticmethod
    def resolve_id(vote: Vote) -> str:
        return vote.code

    @staticmethod
    def resolve_organization(vote: Vote) -> str:
        return vote.organization.slug

    @staticmethod
    def resolve_unit(vote: Vote) -> str | None:
        return vote.unit.code if vote.unit else None

    @staticmethod
    def resolve_options(vote: Vote) -> list:
        return list(vote.options.order_by("position"))

    @staticmethod
    def resolve_quorum(vote: Vote) -> dict:
        return {"kind": vote.quorum_kind, "value": vote.quorum_value}

    @staticmethod
    def resolve_ballots_sent(vote: Vote) -> bool:
        return vote.ballots_sent_at is not None


class BallotIn(Input):
    option: int = Field(ge=1, le=services.MAX_OPTIONS, description="the option's number")


class ReceiptOut(Schema):
    receipt: str = Field(
        description="shown only this once: it proves the ballot was counted, not its choice"
    )


class CountOut(Schema):
    number: int
    label: str
    ballots: int


class ResultOut(Schema):
    id: str
    question: str
    counts: list[CountOut]
    roll: int = Field(description="how many were on the roll")
    voted: int = Field(description="how many cast a ballot")
    quorum_needed: int
    quorum_met: bool


def refused(error: ValidationError, kind: str):
    """409: the vote's state refuses this (not open yet, closed, voted, results hidden)."""
    return state_conflict("vote", [m for ms in error.message_dict.values() for m in ms], kind)


@router.post("/votes", response={201: VoteOut, **WRITE})
def create_vote(request: HttpRequest, payload: VoteIn):
    """Create a vote for a unit (organizers and admins of the organization). Its ballots go
    out to the unit's active members when voting opens."""
    membership = get_membership_for(request.auth, payload.organization, ORGANIZERS)
    organization = membership.organization
    unit = organization.units.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": _("Choose a unit of this organization.")})
    vote = services.create_vote(
        request.auth,
        organization,
        services.VoteInput(
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
    auth=vote_reader,
    openapi_extra=BEARER,
)
def get_vote(request: HttpRequest, vote: str):
    """Show a vote: its question, numbered options, window, quorum and state."""
    return request.vote


@router.post(
    "/votes/{vote}/ballot",
    response={201: ReceiptOut, **WRITE},
    auth=vote_reader,
    openapi_extra=BEARER,
)
def cast_ballot(request: HttpRequest, vote: str, payload: BallotIn):
    """Cast the token's person's one ballot. 409 when voting is not open, when they are not
    on the roll, or when they have voted already (nothing is stored then)."""
    found = request.vote
    chosen = found.options.filter(position=payload.option).first()
    if chosen is None:
        raise ValidationError({"option": _("Choose one of the vote's options.")})
    try:
        receipt = services.cast(request.auth, found, chosen)
    except ValidationError as error:
        if "option" in error.message_dict:
            raise
        return refused(error, "refused")
    return Status(201, {"receipt": receipt})


@router.get(
    "/votes/{vote}/result",
    response={200: ResultOut, **WRITE},
    auth=vote_reader,
    openapi_extra=BEARER,
)
def get_vote_result(request: HttpRequest, vote: str):
    """Counts per option, turnout and quorum, once the vote has closed; 409 before."""
    try:
        outcome = services.result(request.vote)
    except services.ResultsHidden as error:
        return refused(error, "hidden")
    return {
        "id": request.vote.code,
        "question": request.vote.question,
        "counts": [
            {"number": option.position, "label": option.label, "ballots": count}
            for option, count in outcome.counts
        ],
        "roll": outcome.roll,
        "voted": outcome.voted,
        "quorum_needed": outcome.quorum_needed,
        "quorum_met": outcome.quorum_met,
    }
