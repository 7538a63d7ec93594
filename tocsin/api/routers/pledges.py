"""Pledges: organizers create them; the members a pledge asks read it, sign and withdraw,
each as the token's own person. Before the threshold, no operation says who signed or how
many: a pledge shows its state and a bucket of progress (decision 0009). Whom it asks is
its roll, taken when it is sent; moving members afterwards changes no answer here.

Anyone who neither organizes the pledge's organization nor is on its roll gets 404.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Person
from tocsin.pledges import progress, services
from tocsin.pledges.access import ORGANIZERS, get_pledge_for_reader
from tocsin.pledges.models import GROUP_FLOOR, SIGNATURES_FLOOR, Pledge

from ..access import BEARER, path_argument
from ..auth import ANY_PERSON
from ..schemas import Input, Moment, text
from .common import READ, WRITE, state_conflict

router = Router(tags=["pledges"], auth=ANY_PERSON)

Scope = Literal[tuple(Pledge.Scope.values)]  # type: ignore[valid-type]
ThresholdKind = Literal[tuple(Pledge.ThresholdKind.values)]  # type: ignore[valid-type]
Bucket = Literal[tuple(progress.BUCKETS)]  # type: ignore[valid-type]


def pledge_reader(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.pledge to the `pledge` path argument's pledge if
    the person organizes its organization or is asked by it, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        request.pledge = get_pledge_for_reader(person, path_argument(request, "pledge"))
    return person


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
    action: text(services.MAX_ACTION) = Field(description='what we pledge: "we stay out on …"')
    details: text(services.MAX_DETAILS) = ""
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
        return services.has_signed(context["request"].auth, pledge)


class SignerOut(Schema):
    person: str
    name: str
    unit: str | None
    late: bool = Field(description="signed after the pledge went live")


@router.post("/pledges", response={201: PledgeOut, **WRITE})
def create_pledge(request: HttpRequest, payload: PledgeIn):
    """Create a pledge (organizers and admins of the organization)."""
    membership = get_membership_for(request.auth, payload.organization, ORGANIZERS)
    organization = membership.organization
    units = list(organization.units.filter(code__in=payload.units))
    if len(units) != len(set(payload.units)):
        raise ValidationError({"units": _("Choose units of this organization.")})
    site = None
    if payload.site is not None:
        site = organization.sites.filter(code=payload.site).first()
        if site is None:
            raise ValidationError({"site": _("Choose a site of this organization.")})
    pledge = services.create_pledge(
        request.auth,
        organization,
        services.PledgeInput(
            action=payload.action,
            details=payload.details,
            scope=payload.scope,
            units=units,
            site=site,
            threshold_kind=payload.threshold.kind,
            threshold_value=payload.threshold.value,
            deadline=payload.deadline,
            min_group_size=payload.min_group_size,
        ),
    )
    return Status(201, pledge)


@router.get(
    "/pledges/{pledge}",
    response={200: PledgeOut, **READ},
    auth=pledge_reader,
    openapi_extra=BEARER,
)
def get_pledge(request: HttpRequest, pledge: str):
    """Show a pledge: its state, a bucket of its progress, its threshold and deadline."""
    return request.pledge


@router.post(
    "/pledges/{pledge}/signature",
    response={201: PledgeOut, **WRITE},
    auth=pledge_reader,
    openapi_extra=BEARER,
)
def sign_pledge(request: HttpRequest, pledge: str):
    """Sign the pledge as the token's person (sealed until the threshold is met)."""
    return Status(201, services.sign(request.auth, request.pledge))


@router.delete(
    "/pledges/{pledge}/signature",
    response={200: PledgeOut, **WRITE},
    auth=pledge_reader,
    openapi_extra=BEARER,
)
def withdraw_from_pledge(request: HttpRequest, pledge: str):
    """Withdraw the token's person's signature, before the deadline."""
    return services.withdraw(request.auth, request.pledge)


@router.get(
    "/pledges/{pledge}/signers",
    response={200: list[SignerOut], **WRITE},
    auth=pledge_reader,
    openapi_extra=BEARER,
)
def list_pledge_signers(request: HttpRequest, pledge: str):
    """Who signed, for the organization's organizers, once the pledge is on (audited).
    Before that the answer is 409 whoever asks: the signers are sealed."""
    found = request.pledge
    membership = get_membership_for(request.auth, found.organization.slug)
    if not membership.has(ORGANIZERS):
        raise ValidationError({"pledge": _("Only the organizers see who signed.")})
    if found.state != Pledge.State.ACTIVE:
        return state_conflict(
            "pledge", [_("Nobody sees who signed until the threshold is met.")], "sealed"
        )
    return [
        {
            "person": str(signature.person.public_id),
            "name": signature.person.display_name,
            "unit": signature.group.unit.code if signature.group and signature.group.unit else None,
            "late": signature.signed_openly_at is not None,
        }
        for signature in services.signers(request.auth, found)
    ]
