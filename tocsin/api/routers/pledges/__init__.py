"""Pledges: organizers create them; the members a pledge asks read it, sign and withdraw,
each as the token's own person. Before the threshold, no operation says who signed or how
many: a pledge shows its state and a bucket of progress (decision 0009). Whom it asks is
its roll, taken when it is sent; moving members afterwards changes no answer here.

Anyone who neither organizes the pledge's organization nor is on its roll gets 404.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.access import get_membership_for
from tocsin.api.access import ANY_PERSON, PLEDGE_READER
from tocsin.api.routers.common import READ, WRITE, state_conflict
from tocsin.pledges.access import ORGANIZERS
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import checks as pledge_checks
from tocsin.pledges.services import outcome, signing
from tocsin.pledges.services import pledges as pledge_services

from .schemas import PledgeIn, PledgeOut, SignerOut

router = Router(tags=["pledges"], auth=ANY_PERSON)


@router.post("/pledges", response={201: PledgeOut, **WRITE})
def create_pledge(request: HttpRequest, payload: PledgeIn) -> Status:
    """Create a pledge (organizers and admins of the organization)."""
    person = ANY_PERSON.of(request)
    membership = get_membership_for(person, payload.organization, ORGANIZERS)
    organization = membership.organization
    units = list(organization.units.filter(code__in=payload.units))
    if len(units) != len(set(payload.units)):
        raise ValidationError({"units": _("Choose units of this organization.")})
    site = None
    if payload.site is not None:
        site = organization.sites.filter(code=payload.site).first()
        if site is None:
            raise ValidationError({"site": _("Choose a site of this organization.")})
    pledge = pledge_services.create_pledge(
        person,
        organization,
        pledge_checks.PledgeInput(
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
    auth=PLEDGE_READER,
)
def get_pledge(request: HttpRequest, pledge: str) -> Pledge:
    """Show a pledge: its state, a bucket of its progress, its threshold and deadline."""
    return PLEDGE_READER.of(request).pledge


@router.post(
    "/pledges/{pledge}/signature",
    response={201: PledgeOut, **WRITE},
    auth=PLEDGE_READER,
)
def sign_pledge(request: HttpRequest, pledge: str) -> Status:
    """Sign the pledge as the token's person (sealed until the threshold is met)."""
    access = PLEDGE_READER.of(request)
    return Status(201, signing.sign(access.person, access.pledge))


@router.delete(
    "/pledges/{pledge}/signature",
    response={200: PledgeOut, **WRITE},
    auth=PLEDGE_READER,
)
def withdraw_from_pledge(request: HttpRequest, pledge: str) -> Pledge:
    """Withdraw the token's person's signature, before the deadline."""
    access = PLEDGE_READER.of(request)
    return signing.withdraw(access.person, access.pledge)


@router.get(
    "/pledges/{pledge}/signers",
    response={200: list[SignerOut], **WRITE},
    auth=PLEDGE_READER,
)
def list_pledge_signers(request: HttpRequest, pledge: str):
    """Who signed, for the organization's organizers, once the pledge is on (audited).
    Before that the answer is 409 whoever asks: the signers are sealed."""
    access = PLEDGE_READER.of(request)
    found = access.pledge
    membership = get_membership_for(access.person, found.organization.slug)
    if not membership.has(ORGANIZERS):
        raise ValidationError({"pledge": _("Only the organizers see who signed.")})
    if found.state != Pledge.State.ACTIVE:
        return state_conflict(
            "pledge", [_("Nobody sees who signed until the threshold is met.")], "sealed"
        )
    # signers() returns only signatures that still name their signer.
    return [
        {
            "person": str(signer.public_id),
            "name": signer.display_name,
            "unit": signature.group.unit.code if signature.group and signature.group.unit else None,
            "late": signature.signed_openly_at is not None,
        }
        for signature in outcome.signers(access.person, found)
        if (signer := signature.person) is not None
    ]
