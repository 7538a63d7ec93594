"""Pledges: create, send (taking the roll), sign, withdraw, and the two jobs that end the
sealed phase.

Signing and withdrawing write no audit entry and no log line: an entry naming the signer,
or even one at the moment of signing, would tell an admin who signed (decision 0009).
Everything else is audited as usual.
"""

import logging
import math
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit
from tocsin.core.times import in_server_zone
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from . import floors, progress, sealing
from .models import AskedGroup, AskedMember, Pledge, Signature

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
    # None: the smallest allowed (floors.min_group()).
    min_group_size: int | None = None


def group_field(scope: str) -> str:
    """The field an error about the size of the group asked belongs to."""
    if scope in progress.UNIT_SCOPES:
        return "units"
    return "site" if scope == Pledge.Scope.SITE else "scope"


def floor_errors(
    scope: str, threshold_kind: str, threshold_value: int, sizes: list[tuple[str, int]]
) -> dict[str, list[str]]:
    """Return what breaks the floors, by field, for groups of these (name, size): each group
    has at least floors.min_group() members, and going live takes at least
    floors.min_signatures() signatures in each. Below them a pledge names a person."""
    errors: dict[str, list[str]] = {}
    fewest, smallest = floors.min_signatures(), floors.min_group()
    for name, size in sizes:
        if size < smallest:
            errors.setdefault(group_field(scope), []).append(
                ngettext(
                    "%(name)s has %(size)s member. A pledge asks at least %(min)s in each "
                    "group, so that nobody who signs stands out.",
                    "%(name)s has %(size)s members. A pledge asks at least %(min)s in each "
                    "group, so that nobody who signs stands out.",
                    size,
                )
                % {"name": name, "size": size, "min": smallest}
            )
            continue
        if threshold_kind == Pledge.ThresholdKind.PERCENT:
            required = math.ceil(size * threshold_value / 100)
            if required < fewest:
                errors.setdefault("threshold_value", []).append(
                    _(
                        "%(value)s%% of the %(size)s members of %(name)s is %(required)s "
                        "signatures. A pledge goes live with at least %(min)s, so that nobody "
                        "is named alone: ask for a higher percentage."
                    )
                    % {
                        "value": threshold_value,
                        "size": size,
                        "name": name,
                        "required": required,
                        "min": fewest,
                    }
                )
        elif threshold_value > size:
            errors.setdefault("threshold_value", []).append(
                _(
                    "%(name)s has %(size)s members, fewer than the %(value)s signatures "
                    "asked for: it could never go live."
                )
                % {"name": name, "size": size, "value": threshold_value}
            )
    return errors


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
    elif data.threshold_kind == Pledge.ThresholdKind.COUNT and value < floors.min_signatures():
        add(
            "threshold_value",
            _(
                "Ask for at least %(min)s signatures. With fewer, the pledge going live would "
                "name the first signers, not a group."
            )
            % {"min": floors.min_signatures()},
        )
    now = timezone.now()
    data.deadline = in_server_zone(data.deadline)
    if data.deadline is None:
        add("deadline", _("Give a deadline."))
    elif data.deadline <= now:
        add("deadline", _("The deadline must be in the future."))
    elif data.deadline > now + LONGEST_PLEDGE:
        add("deadline", _("The deadline must be within a year."))
    if data.min_group_size is None:
        data.min_group_size = floors.min_group()
    if not floors.min_group() <= data.min_group_size <= 1000:
        add(
            "min_group_size",
            _("Give a number from %(min)s to 1000.") % {"min": floors.min_group()},
        )
    # The groups as they stand now: the roll taken at the send is checked again.
    if not errors.keys() & {"scope", "units", "site", "threshold_kind", "threshold_value"}:
        planned = progress.planned_groups(organization, data.scope, data.units, data.site)
        sizes = [(group.name, group.memberships.count()) for group in planned]
        assert value is not None
        for name, messages in floor_errors(data.scope, data.threshold_kind, value, sizes).items():
            errors.setdefault(name, []).extend(messages)
    return errors


@transaction.atomic
def create_pledge(actor: Person | None, organization: Organization, data: PledgeInput) -> Pledge:
    errors = clean_pledge(organization, data)
    if (
        errors
        or data.threshold_value is None
        or data.deadline is None
        or data.min_group_size is None
    ):
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
def take_roll(pledge: Pledge) -> Pledge:
    """Write the pledge's groups and its roll, the members its scope holds now, once.

    From then on only the roll counts, whatever happens to memberships: a member moved,
    added, deactivated or erased later changes no count, so no such change can show who
    signed. Refused, with nothing written, when a group or the threshold is below a floor.
    """
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.roll_taken:
        return pledge
    planned = [
        (group, sorted(group.memberships.values_list("person_id", flat=True)))
        for group in progress.planned_groups_of(pledge)
    ]
    sizes = [(group.name, len(people)) for group, people in planned]
    errors = floor_errors(pledge.scope, pledge.threshold_kind, pledge.threshold_value, sizes)
    if errors:
        raise ValidationError(errors)
    for found, people in planned:
        group = AskedGroup.objects.create(pledge=pledge, unit=found.unit, name=found.name[:300])
        AskedMember.objects.bulk_create(
            [AskedMember(pledge=pledge, group=group, person_id=person_id) for person_id in people]
        )
    pledge.roll_taken_at = timezone.now()
    pledge.save(update_fields=["roll_taken_at"])
    return pledge


@transaction.atomic
def send_pledge(actor: Person, pledge: Pledge) -> Alert:
    """Take the pledge's roll and send it to every member on it, each with a personal link
    to sign it. Refused when it is not open, was sent already, or breaks a floor."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not pledge.is_open or not pledge.signable:
        raise ValidationError({"pledge": _("Only an open pledge before its deadline is sent.")})
    if pledge.invited_at is not None:
        raise ValidationError({"pledge": _("This pledge was sent already.")})
    pledge = take_roll(pledge)
    alert = create_alert(
        pledge.organization,
        Alert.Kind.PLEDGE,
        pledge_context(pledge, "invite"),
        {"person_ids": progress.roll_people(pledge)},
        actor=actor,
    )
    send_alert(alert, actor=actor)
    pledge.invited_at = timezone.now()
    pledge.save(update_fields=["invited_at"])
    record(
        actor,
        "pledges.pledge.sent",
        pledge,
        organization=pledge.organization,
        asked=pledge.roll.count(),
    )
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
    entry = progress.asked_entry(pledge, person)
    if entry is None:
        raise ValidationError({"pledge": _("This pledge does not ask you.")})
    if not pledge.signable:
        raise ValidationError({"pledge": _("This pledge is closed.")})
    signature = Signature(
        pledge=pledge,
        group=entry.group,
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
        from .tasks import activate_pledge  # in the function: tasks.py's jobs import this module

        # Lost with a queue that is down: settle_pledges_every_minute turns it on instead.
        enqueue_on_commit(activate_pledge, pledge.pk)
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
    met; return whether the pledge went on. Running it again changes nothing.

    Every signature counts, as progress counted it: each was made by a member on the roll,
    in their group on the roll. One whose signer has since been erased names nobody. The
    table is written anew in random order, so that the rows' places, which the database
    keeps in the order of signing, do not say who went first once names are in them.
    """
    pledge = Pledge.objects.select_for_update().filter(pk=pledge_id).first()
    if pledge is None or not pledge.is_open or not progress.threshold_met(pledge):
        return False
    on_roll = {
        str(person.public_id): person
        for person in Person.objects.filter(pk__in=progress.roll_people(pledge))
    }
    signatures = list(pledge.signatures.all())
    unsealed = [
        Signature(
            pledge=pledge,
            group_id=signature.group_id,
            signer_index=signature.signer_index,
            person=on_roll.get(sealing.unseal(pledge.private_key, signature.sealed_signer)),
        )
        for signature in signatures
    ]
    secrets.SystemRandom().shuffle(unsealed)
    pledge.signatures.all().delete()
    Signature.objects.bulk_create(unsealed)
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
        person_ids = sorted(
            pledge.signatures.filter(group_id=group.key, person__isnull=False).values_list(
                "person_id", flat=True
            )
        )
        context = pledge_context(pledge, "on", percent=group.percent, group=group.name)
        alert = create_alert(
            pledge.organization, Alert.Kind.PLEDGE, context, {"person_ids": person_ids}
        )
        send_alert(alert)
    return True


@transaction.atomic
def expire(pledge_id: int) -> bool:
    """At the deadline without the threshold: delete every signature and the key, and tell
    every member on the roll (telling only the signers would record who they were)."""
    pledge = Pledge.objects.select_for_update().filter(pk=pledge_id).first()
    if pledge is None or not pledge.is_open or timezone.now() < pledge.deadline:
        return False
    pledge.signatures.all().delete()
    pledge.state, pledge.private_key = Pledge.State.EXPIRED, ""
    pledge.ended_at = timezone.now()
    pledge.save(update_fields=["state", "private_key", "ended_at"])
    record(None, "pledges.pledge.expired", pledge, organization=pledge.organization)
    person_ids = progress.roll_people(pledge)
    if person_ids:
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
        .select_related("person", "group__unit")
        .order_by("person__display_name", "person__public_id")
    )


def forget_signer(pledge: Pledge, person: Person) -> None:
    """Cut an erased person's signature loose from them, keeping it counted.

    Its blind index becomes random, and while the pledge is sealed its box is sealed anew
    around a random id, so neither the index nor the box leads back to the person; the
    count, and so every bucket and percentage, stays as it was, whether they signed or not.
    """
    index = sealing.signer_index(pledge.code, str(person.public_id))
    changes: dict = {"signer_index": secrets.token_hex(32)}
    if pledge.is_open:
        changes["sealed_signer"] = sealing.seal(pledge.public_key, str(uuid.uuid4()))
    pledge.signatures.filter(signer_index=index).update(**changes)
