"""Offer, accept, decline and end sharing agreements; a federation's or coalition's offer to
all its members in one step (decision 0028).

Each function checks what it is given, changes one thing inside a transaction with the
agreement's row locked, and writes the audit entry in the log of both organizations, so
that each side's admins see who offered, answered or ended what, and when.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    Organization,
    Person,
    SharingAgreement,
    SharingCircle,
    Site,
)
from tocsin.accounts.sharing import Shares
from tocsin.audit.services import record
from tocsin.core.transactions import locking

State = SharingAgreement.State
# The widest area an agreement may name: a metropolitan region.
MAX_RADIUS_M = 200_000


@dataclass
class Terms:
    """What an offer shares, from when to when, and where (for alerts)."""

    what: list[str]
    direction: str = SharingAgreement.Direction.ONE_WAY
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    lat: float | Decimal | None = None
    lng: float | Decimal | None = None
    radius_m: int | None = None
    sites: list[Site] = field(default_factory=list)


def check_terms(terms: Terms, organization: Organization) -> Terms:
    """Return the terms with their start filled in; raise ValidationError naming each field
    that is wrong."""
    errors: dict[str, list[str]] = {}
    what = [name for name in terms.what if name in Shares.values]
    if not what or len(what) != len(terms.what):
        errors["what"] = [_("What to share: choose at least one of the kinds listed.")]
    if terms.direction not in SharingAgreement.Direction.values:
        errors["direction"] = [_("Direction: choose one way or both ways.")]
    now = timezone.now()
    starts_at = terms.starts_at or now
    if terms.ends_at is not None:
        if terms.ends_at <= now:
            errors["ends_at"] = [_("Planned end: give a time still to come.")]
        elif terms.ends_at <= starts_at:
            errors["ends_at"] = [_("Planned end: give a time after the start.")]
    area = (terms.lat, terms.lng, terms.radius_m)
    if any(value is not None for value in area) and any(value is None for value in area):
        missing = [
            name
            for name, value in zip(("lat", "lng", "radius_m"), area, strict=True)
            if value is None
        ]
        for name in missing:
            errors[name] = [
                _("Area: give the latitude, the longitude and the radius, or none of them.")
            ]
    if terms.lat is not None and not -90 <= terms.lat <= 90:
        errors["lat"] = [_("Area: latitude: give a number between -90 and 90.")]
    if terms.lng is not None and not -180 <= terms.lng <= 180:
        errors["lng"] = [_("Area: longitude: give a number between -180 and 180.")]
    if terms.radius_m is not None and not 100 <= terms.radius_m <= MAX_RADIUS_M:
        errors["radius_m"] = [
            _("Radius: give between 100 and %(most)d metres.") % {"most": MAX_RADIUS_M}
        ]
    present = set(organization.sites.values_list("pk", flat=True))
    if any(site.pk not in present for site in terms.sites):
        errors["sites"] = [_("Sites: choose only sites where your organization is present.")]
    if errors:
        raise ValidationError(errors)
    terms.what = what
    terms.starts_at = starts_at
    return terms


def _audit(actor: Person | None, action: str, agreement: SharingAgreement, **detail) -> None:
    """Write the entry in both organizations' logs: each side sees what touched its sharing."""
    detail = {
        "giver": agreement.organization.slug,
        "receiver": agreement.partner.slug,
        "direction": agreement.direction,
        "what": [name for name in Shares.values if getattr(agreement, name)],
        **detail,
    }
    if agreement.circle is not None:
        detail["circle"] = agreement.circle.code
    for organization in (agreement.organization, agreement.partner):
        record(actor, action, agreement, organization, **detail)


def _make(
    organization: Organization,
    partner: Organization,
    terms: Terms,
    *,
    state: str,
    actor: Person | None,
    circle: SharingCircle | None = None,
) -> SharingAgreement:
    agreement = SharingAgreement.objects.create(
        organization=organization,
        partner=partner,
        state=state,
        direction=terms.direction,
        starts_at=terms.starts_at or timezone.now(),
        ends_at=terms.ends_at,
        lat=terms.lat,
        lng=terms.lng,
        radius_m=terms.radius_m,
        circle=circle,
        offered_by=actor,
        **{name: name in terms.what for name in Shares.values},
    )
    if terms.sites:
        agreement.sites.set(terms.sites)
    return agreement


@transaction.atomic
def offer(
    actor: Person | None, organization: Organization, partner: Organization | None, terms: Terms
) -> SharingAgreement:
    """Offer `partner` to share what the terms say; nothing is shared until it accepts."""
    errors = {}
    if partner is None or partner.pk == organization.pk:
        errors["partner"] = [_("Partner: choose another organization on this server.")]
    try:
        terms = check_terms(terms, organization)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or partner is None:
        raise ValidationError(errors)
    agreement = _make(organization, partner, terms, state=State.OFFERED, actor=actor)
    _audit(actor, "sharing.agreement.offered", agreement, starts_at=str(terms.starts_at))
    return agreement


def members_of(convener: Organization) -> QuerySet[Organization]:
    """Return the member organizations of a federation (its children) or coalition."""
    return (
        Organization.objects.filter(Q(parent=convener) | Q(coalitions=convener))
        .exclude(pk=convener.pk)
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def offer_to_members(
    actor: Person | None,
    convener: Organization,
    terms: Terms,
    members: Iterable[Organization] | None = None,
) -> SharingCircle:
    """Offer all the convener's member organizations (or those chosen among them) to share
    among themselves and with the convener, both ways, in one step. Each member answers on
    its own screen."""
    terms.direction = SharingAgreement.Direction.BOTH_WAYS
    terms.sites = []
    terms = check_terms(terms, convener)
    eligible = {member.pk: member for member in members_of(convener)}
    chosen = list(eligible.values()) if members is None else list(members)
    if not chosen or any(member.pk not in eligible for member in chosen):
        raise ValidationError(
            {"members": [_("Members: choose at least one of your member organizations.")]}
        )
    circle = SharingCircle.objects.create(convener=convener)
    for member in chosen:
        agreement = _make(convener, member, terms, state=State.OFFERED, actor=actor, circle=circle)
        _audit(actor, "sharing.agreement.offered", agreement, starts_at=str(terms.starts_at))
    record(actor, "sharing.circle.offered", circle, convener, members=len(chosen))
    return circle


def _locked(agreement: SharingAgreement) -> SharingAgreement:
    return (
        locking(SharingAgreement.objects)
        .select_related("organization", "partner", "circle")
        .get(pk=agreement.pk)
    )


def _refuse(message: str) -> ValidationError:
    return ValidationError({"agreement": [message]})


@transaction.atomic
def accept(actor: Person | None, organization: Organization, agreement: SharingAgreement) -> None:
    """Accept an offer made to `organization`: it is in force from its start. A member
    accepting a circle's offer is joined to every member that accepted before it."""
    agreement = _locked(agreement)
    if agreement.partner_id != organization.pk:
        raise _refuse(_("Only the organization offered can accept."))
    if agreement.state != State.OFFERED:
        raise _refuse(_("This offer was already answered or ended."))
    now = timezone.now()
    if agreement.ends_at is not None and agreement.ends_at <= now:
        raise _refuse(_("This offer's planned end has passed: ask for a new one."))
    agreement.state = State.IN_FORCE
    agreement.answered_by, agreement.answered_at = actor, now
    agreement.save(update_fields=["state", "answered_by", "answered_at"])
    _audit(actor, "sharing.agreement.accepted", agreement)
    if agreement.circle is not None:
        _join_circle(actor, agreement, agreement.circle)


def _join_circle(actor: Person | None, accepted: SharingAgreement, circle: SharingCircle) -> None:
    """Make an agreement in force between the member that accepted and each member that
    accepted before it, on the circle's terms."""
    circle = locking(SharingCircle.objects).get(pk=circle.pk)
    if circle.state != SharingCircle.State.OPEN:
        return
    earlier = SharingAgreement.objects.filter(
        circle=circle, organization=circle.convener, state=State.IN_FORCE
    ).exclude(partner=accepted.partner_id)
    terms = Terms(
        what=[name for name in Shares.values if getattr(accepted, name)],
        direction=SharingAgreement.Direction.BOTH_WAYS,
        starts_at=accepted.starts_at,
        ends_at=accepted.ends_at,
        lat=accepted.lat,
        lng=accepted.lng,
        radius_m=accepted.radius_m,
    )
    for other in earlier.select_related("partner"):
        pair = _make(
            other.partner, accepted.partner, terms, state=State.IN_FORCE, actor=None, circle=circle
        )
        pair.answered_by, pair.answered_at = actor, timezone.now()
        pair.save(update_fields=["answered_by", "answered_at"])
        _audit(actor, "sharing.agreement.joined", pair)


@transaction.atomic
def decline(actor: Person | None, organization: Organization, agreement: SharingAgreement) -> None:
    """Decline an offer made to `organization`; nothing is shared."""
    agreement = _locked(agreement)
    if agreement.partner_id != organization.pk:
        raise _refuse(_("Only the organization offered can decline."))
    if agreement.state != State.OFFERED:
        raise _refuse(_("This offer was already answered or ended."))
    agreement.state = State.DECLINED
    agreement.answered_by, agreement.answered_at = actor, timezone.now()
    agreement.save(update_fields=["state", "answered_by", "answered_at"])
    _audit(actor, "sharing.agreement.declined", agreement)


def _end_one(actor: Person | None, organization: Organization, agreement: SharingAgreement) -> None:
    agreement.state = State.ENDED
    agreement.ended_by, agreement.ended_by_organization = actor, organization
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["state", "ended_by", "ended_by_organization", "ended_at"])
    _audit(actor, "sharing.agreement.ended", agreement, by=organization.slug)


@transaction.atomic
def end(actor: Person | None, organization: Organization, agreement: SharingAgreement) -> int:
    """End at once an agreement `organization` is a side of (or withdraw its own offer).
    From a circle, a member ends its own part: every agreement of the circle it is a side
    of; the convener ending its agreement with a member ends that member's part. Return how
    many agreements ended."""
    agreement = _locked(agreement)
    if organization.pk not in (agreement.organization_id, agreement.partner_id):
        raise _refuse(_("Only a side of the agreement can end it."))
    if agreement.state not in (State.OFFERED, State.IN_FORCE):
        raise _refuse(_("This agreement has already ended."))
    if agreement.state == State.OFFERED and agreement.partner_id == organization.pk:
        raise _refuse(_("Accept or decline this offer; it is not in force."))
    circle = agreement.circle
    if circle is None:
        _end_one(actor, organization, agreement)
        return 1
    # From a circle, one member leaves: this one, or the other side when the convener ends
    # its agreement with that member. The convener ends it for all with end_circle.
    leaving = (
        agreement.other_side(organization)
        if circle.convener_id == organization.pk
        else organization.pk
    )
    part = locking(SharingAgreement.objects).filter(
        Q(organization_id=leaving) | Q(partner_id=leaving),
        circle_id=agreement.circle_id,
        state__in=[State.OFFERED, State.IN_FORCE],
    )
    ended = 0
    for row in part.select_related("organization", "partner", "circle"):
        _end_one(actor, organization, row)
        ended += 1
    return ended


@transaction.atomic
def end_circle(actor: Person | None, convener: Organization, circle: SharingCircle) -> int:
    """End a circle for all its members at once; return how many agreements ended."""
    circle = locking(SharingCircle.objects).get(pk=circle.pk)
    if circle.convener_id != convener.pk:
        raise _refuse(_("Only the organization that made the offer can end it for all."))
    if circle.state == SharingCircle.State.ENDED:
        raise _refuse(_("This agreement has already ended."))
    circle.state, circle.ended_at = SharingCircle.State.ENDED, timezone.now()
    circle.save(update_fields=["state", "ended_at"])
    ended = 0
    open_rows = locking(SharingAgreement.objects).filter(
        circle=circle, state__in=[State.OFFERED, State.IN_FORCE]
    )
    for row in open_rows.select_related("organization", "partner", "circle"):
        _end_one(actor, convener, row)
        ended += 1
    record(actor, "sharing.circle.ended", circle, convener, agreements=ended)
    return ended
