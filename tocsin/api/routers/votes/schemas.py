"""What the votes router reads and answers."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from datetime import datetime
from typing import Annotated, Literal, TypeAlias

from ninja import Field, Schema

from tocsin.api.schemas import Input, Moment, text
from tocsin.votes import services
from tocsin.votes.models import Vote

QuorumKind: TypeAlias = Literal[tuple(Vote.QuorumKind.values)]  # type: ignore[valid-type]
VoteState: TypeAlias = Literal[tuple(Vote.State.values)]  # type: ignore[valid-type]


class QuorumIn(Input):
    kind: QuorumKind = "percent"
    value: int = Field(
        default=0, ge=0, le=100_000, description="a percentage (50) or a count; 0: none"
    )


class VoteIn(Input):
    organization: str = Field(description="the organization's short name")
    unit: str = Field(description="the code of the unit that votes")
    question: Annotated[str, text(services.MAX_QUESTION)]
    options: list[Annotated[str, text(services.MAX_OPTION)]] = Field(
        min_length=2, max_length=services.MAX_OPTIONS, description="the choices, in order"
    )
    opens_at: Moment
    closes_at: Moment
    quorum: QuorumIn = Field(default_factory=lambda: QuorumIn())


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
