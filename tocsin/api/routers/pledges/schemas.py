"""What the pledges router reads and answers."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from datetime import datetime
from typing import Annotated, Literal, TypeAlias

from ninja import Field, Schema

from tocsin.api.access import caller
from tocsin.api.schemas import Input, Moment, text
from tocsin.pledges import progress, services
from tocsin.pledges.models import GROUP_FLOOR, SIGNATURES_FLOOR, Pledge

Scope: TypeAlias = Literal[tuple(Pledge.Scope.values)]  # type: ignore[valid-type]
ThresholdKind: TypeAlias = Literal[tuple(Pledge.ThresholdKind.values)]  # type: ignore[valid-type]
Bucket: TypeAlias = Literal[tuple(progress.BUCKETS)]  # type: ignore[valid-type]


class ThresholdIn(Input):
    kind: ThresholdKind
    value: int = Field(
        ge=1,
        le=100_000,
        description=f"a percentage (60) or a number of members; either must come to at least "
        f"{SIGNATURES_FLOOR} signatures (or the server's TOCSIN_PLEDGE_MIN_SIGNATURES) in each "
        "group asked",
    )


class PledgeIn(Input):
    organization: str = Field(description="the organization's short name")
    action: Annotated[str, text(services.MAX_ACTION)] = Field(
        description='what we pledge: "we stay out on …"'
    )
    details: Annotated[str, text(services.MAX_DETAILS)] = ""
    scope: Scope
    units: list[str] = Field(default_factory=list, description="unit codes", max_length=50)
    site: str | None = Field(None, description="a site code, for a site's pledge")
    threshold: ThresholdIn
    deadline: Moment
    min_group_size: int | None = Field(
        None,
        ge=GROUP_FLOOR,
        le=1000,
        description="below this many members a group's progress is not shown; at least "
        f"{GROUP_FLOOR} (or the server's TOCSIN_PLEDGE_MIN_GROUP, the default). Every group "
        "asked must have that many members, when the pledge is created and when it is sent",
    )


class Threshold(Schema):
    kind: ThresholdKind
    value: int


class PledgeOut(Schema):
    id: str
    organization: str
    action: str
    details: str
    scope: Scope
    units: list[str]
    site: str | None
    state: Literal[tuple(Pledge.State.values)]  # type: ignore[valid-type]
    progress_bucket: Bucket | None = Field(
        description="how far it has come: a quarter of the threshold at a time, 'met' once "
        "it is on, null for a group too small to show or a pledge that expired"
    )
    threshold: Threshold
    deadline: datetime
    activated_at: datetime | None
    signed: bool = Field(description="whether the token's person has signed it")

    @staticmethod
    def resolve_id(pledge: Pledge) -> str:
        return pledge.code

    @staticmethod
    def resolve_organization(pledge: Pledge) -> str:
        return pledge.organization.slug

    @staticmethod
    def resolve_units(pledge: Pledge) -> list[str]:
        return [unit.code for unit in pledge.units.order_by("name")]

    @staticmethod
    def resolve_site(pledge: Pledge) -> str | None:
        return pledge.site.code if pledge.site else None

    @staticmethod
    def resolve_progress_bucket(pledge: Pledge) -> str | None:
        return progress.overall_bucket(pledge)

    @staticmethod
    def resolve_threshold(pledge: Pledge) -> dict:
        return {"kind": pledge.threshold_kind, "value": pledge.threshold_value}

    @staticmethod
    def resolve_signed(pledge: Pledge, context) -> bool:
        return services.has_signed(caller(context["request"]), pledge)


class SignerOut(Schema):
    person: str
    name: str
    unit: str | None
    late: bool = Field(description="signed after the pledge went live")
