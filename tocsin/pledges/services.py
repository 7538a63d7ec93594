"""Pledges: create, send, sign, withdraw, and the two jobs that end the sealed phase.

Signing and withdrawing write no audit entry and no log line: an entry naming the signer,
or even one at the moment of signing, would tell an admin who signed (decision 0009).
Everything else is audited as usual.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.audit.services import record
from tocsin.core.times import in_server_zone
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from . import progress, sealing
from .models import DEFAULT_MIN_GROUP_SIZE, Pledge, Signature

log = logging.getLogger(__name__)
MAX_ACTION = 200
MAX_DETAILS = 2000
LONGEST_PLEDGE = timedelta(days=366)


@dataclass
class PledgeInput:
    action: str
    scope: str
    threshold_kind: str
    threshold_value: int | None
    deadline: datetime | None
    details: str = ""
    units: list[Unit] = field(default_factory=list)
    site: Site | None = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE


def clean_pledge(organization: Organization, data: PledgeInput) -> dict[str, list[str]]:
    """Return the errors of a new pledge, by field name (empty when it may be created)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.action.strip():
        add("action", _("Say what you pledge to do."))
    elif len(data.action) > MAX_ACTION:
        add("action", _("Keep it under %(n)s characters.") % {"n": MAX_ACTION})
    if len(data.details) > MAX_DETAILS:
        add("details", _("Keep it under %(n)s characters.") % {"n": MAX_DETAILS})
    if data.scope not in Pledge.Scope.values:
        add("scope", _("Choose who is asked."))
    foreign = [unit for unit in data.units if unit.organization_id != organization.pk]
    if foreign:
        add("units", _("Choose units of this organization."))
    elif data.scope == Pledge.Scope.UNIT and len(data.units) != 1:
        add("units", _("Choose one unit."))
    elif data.scope in (Pledge.Scope.UNITS_EACH, Pledge.Scope.UNITS_ALL) and len(data.units) < 2:
        add("units", _("Choose two units or more."))
    if data.scope == Pledge.Scope.SITE and (
        data.site is None or not data.site.organizations.filter(pk=organization.pk).exists()
    ):
        add("site", _("Choose a site of this organization."))
    if data.threshold_kind not in Pledge.ThresholdKind.values:
        add("threshold_kind", _("Choose a percentage or a number."))
    value = data.threshold_value
    if value is None or value < 1:
        add("threshold_value", _("Give a threshold of 1 or more."))
    elif data.threshold_kind == Pledge.ThresholdKind.PERCENT and value > 100:
        add("threshold_value", _("A percentage is at most 100."))
    elif value > 100_000:
        add("threshold_value", _("That is more people than Tocsin counts."))
    now = timezone.now()
    data.deadline = in_server_zone(data.deadline)
    if data.deadline is None:
        add("deadline", _("Give a deadline."))
    elif data.deadline <= now:
        add("deadline", _("The deadline must be in the future."))
    elif data.deadline > now + LONGEST_PLEDGE:
        add("deadline", _("The deadline must be within a year."))
    if not 2 <= data.min_group_size <= 1000:
        add("min_group_size", _("Give a number from 2 to 1000."))
    return errors


@transaction.atomic
def create_pledge(actor: Person | None, organization: Organization, data: PledgeInput) -> Pledge:
    errors = clean_pledge(organization, data)
    if errors or data.threshold_value is None or data.deadline is None:
        raise ValidationError(errors)
    public_key, private_key = sealing.new_key_pair()
    pledge = Pledge.objects.create(
        organization=organization,
        action=data.action.strip(),
        details=data.details.strip(),
        scope=data.scope,
        site=data.site if data.scope == Pledge.Scope.SITE else None,
        threshold_kind=data.threshold_kind,
        threshold_value=data.threshold_value,
        deadline=data.deadline,
        min_group_size=data.min_group_size,
        public_key=public_key,
        private_key=private_key,
        created_by=actor,
    )
    if data.scope in progress.UNIT_SCOPES:
        pledge.units.set(data.units)
    record(
        actor,
        "pledges.pledge.created",
        pledge,
        organization=organization,
        scope=pledge.scope,
        threshold_kind=pledge.threshold_kind,
        threshold_value=pledge.threshold_value,
    )
    return pledge


def pledge_context(pledge: Pledge, event: str, **extra) -> dict:
    """What a pledge message says: never who signed."""
    return {
        "event": event,
        "code": pledge.code,
        "action": pledge.action,
        "scope": pledge.scope,
        "group": progress.scope_name(pledge),
        "threshold_kind": pledge.threshold_kind,
        "threshold_value": pledge.threshold_value,
        "deadline": timezone.localtime(pledge.deadline).date().isoformat(),
        **extra,
    }


@transaction.atomic
def send_pledge(actor: Person, pledge: Pledge) -> Alert:
    """Send the pledge to every member it asks, each with a personal link to sign it."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not pledge.is_open or not pledge.signable:
        raise ValidationError({"pledge": _("Only an open pledge before its deadline is sent.")})
    person_ids = sorted(progress.eligible_memberships(pledge).values_list("person_id", flat=True))
    alert = create_alert(
        pledge.organization,
        Alert.Kind.PLEDGE,
        pledge_context(pledge, "invite"),
        {"person_ids": person_ids},
        actor=actor,
    )
    send_alert(alert, actor=actor)
    pledge.invited_at = timezone.now()
    pledge.save(update_fields=["invited_at"])
    record(actor, "pledges.pledge.sent", pledge, organization=pledge.organization)
    return alert


def has_signed(person: Person, pledge: Pledge) -> bool:
    index = sealing.signer_index(pledge.code, str(person.public_id))
    return pledge.signatures.filter(signer_index=index).exists()


@transaction.atomic
def sign(person: Person, pledge: Pledge) -> Pledge:
    """Add the person's signature: sealed while the pledge is open, open once it is on.

    The pledge row is locked, so a signature never lands while the activation job unseals.
    """
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    membership = progress.membership_asked(pledge, person)
    if membership is None:
        raise ValidationError({"pledge": _("This pledge does not ask you.")})
    if not pledge.signable:
        raise ValidationError({"pledge": _("This pledge is closed.")})
    signature = Signature(
        pledge=pledge,
        group=progress.group_of(pledge, membership),
        signer_index=sealing.signer_index(pledge.code, str(person.public_id)),
    )
    if pledge.is_open:
        signature.sealed_signer = sealing.seal(pledge.public_key, str(person.public_id))
    else:
        signature.person, signature.signed_openly_at = person, timezone.now()
    try:
        with transaction.atomic():
            signature.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"pledge": _("You have already signed.")}) from None
    if pledge.is_open and progress.threshold_met(pledge):
        from .tasks import activate_pledge

        pledge_id = pledge.pk
        transaction.on_commit(lambda: activate_pledge(pledge_id))
    return pledge


@transaction.atomic
def withdraw(person: Person, pledge: Pledge) -> Pledge:
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not pledge.signable:
        raise ValidationError({"pledge": _("This pledge is closed.")})
    index = sealing.signer_index(pledge.code, str(person.public_id))
    removed, _kinds = pledge.signatures.filter(signer_index=index).delete()
    if not removed:
        raise ValidationError({"pledge": _("You have not signed this pledge.")})
    if pledge.state == Pledge.State.ACTIVE:
        record(person, "pledges.signature.withdrawn", pledge, organization=pledge.organization)
    return pledge


@transaction.atomic
def activate_if_met(pledge_id: int) -> bool:
    """Unseal every signer and send "It's on" to all of them at once, if the threshold is
    met; return whether the pledge went on. Running it again changes nothing."""
    pledge = Pledge.objects.select_for_update().filter(pk=pledge_id).first()
    if pledge is None or not pledge.is_open or not progress.threshold_met(pledge):
        return False
    signatures = list(pledge.signatures.all())
    signer_ids = [sealing.unseal(pledge.private_key, s.sealed_signer) for s in signatures]
    # Only members the pledge still asks are unsealed, each counted in the unit they are in
    # now (as progress counted them); a signer since erased, or gone, is deleted unread.
    asked = {
        str(m.person.public_id): m
        for m in progress.eligible_memberships(pledge).select_related("person", "unit")
    }
    for signature, signer_id in zip(signatures, signer_ids, strict=True):
        membership = asked.get(signer_id)
        signature.person = membership.person if membership else None
        if membership is not None:
            signature.group = progress.group_of(pledge, membership)
        signature.sealed_signer = ""
    Signature.objects.bulk_update(signatures, ["person", "group", "sealed_signer"])
    pledge.signatures.filter(person__isnull=True).delete()
    found = progress.groups(pledge)
    pledge.state, pledge.private_key = Pledge.State.ACTIVE, ""
    pledge.activated_at = timezone.now()
    pledge.save(update_fields=["state", "private_key", "activated_at"])
    record(
        None,
        "pledges.pledge.activated",
        pledge,
        organization=pledge.organization,
        signers=len(signatures),
    )
    for group in found:
        signed = pledge.signatures.filter(person__isnull=False)
        if group.unit is not None:
            signed = signed.filter(group=group.unit)
        person_ids = sorted(signed.values_list("person_id", flat=True))
        context = pledge_context(pledge, "on", percent=group.percent, group=group.name)
        alert = create_alert(
            pledge.organization, Alert.Kind.PLEDGE, context, {"person_ids": person_ids}
        )
        send_alert(alert)
    return True


@transaction.atomic
def expire(pledge_id: int) -> bool:
    """At the deadline without the threshold: delete every signature and the key, and tell
    every member it asked (telling only the signers would record who they were)."""
    pledge = Pledge.objects.select_for_update().filter(pk=pledge_id).first()
    if pledge is None or not pledge.is_open or timezone.now() < pledge.deadline:
        return False
    pledge.signatures.all().delete()
    pledge.state, pledge.private_key = Pledge.State.EXPIRED, ""
    pledge.ended_at = timezone.now()
    pledge.save(update_fields=["state", "private_key", "ended_at"])
    record(None, "pledges.pledge.expired", pledge, organization=pledge.organization)
    person_ids = sorted(progress.eligible_memberships(pledge).values_list("person_id", flat=True))
    alert = create_alert(
        pledge.organization,
        Alert.Kind.PLEDGE,
        pledge_context(pledge, "expired"),
        {"person_ids": person_ids},
    )
    send_alert(alert)
    return True


def settle_pledges() -> int:
    """Turn on every open pledge whose threshold is met, and end every one past its deadline
    without it (the worker's minute job); return how many changed."""
    changed = 0
    for pledge_id in Pledge.objects.filter(state=Pledge.State.OPEN).values_list("pk", flat=True):
        changed += activate_if_met(pledge_id) or expire(pledge_id)
    return changed


def signers(actor: Person, pledge: Pledge) -> list[Signature]:
    """Return who signed a pledge that is on, and audit the reading; nothing before."""
    if pledge.state != Pledge.State.ACTIVE:
        return []
    record(actor, "pledges.signers.read", pledge, organization=pledge.organization)
    return list(
        pledge.signatures.filter(person__isnull=False)
        .select_related("person", "group")
        .order_by("person__display_name")
    )
