"""Create a pledge and send it: the roll is taken at the send (who is asked, in which
group), and every member on it is asked in their language.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .. import progress, sealing
from ..models import AskedGroup, AskedMember, Pledge
from .checks import PledgeInput, clean_pledge, floor_errors


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
