"""The end of a pledge's sealed phase: on at its threshold (every signer unsealed and told
at once) or expired at its deadline (every signature and the key deleted), the minute job
that settles them, and who signed once it is on. The only code that opens a private key.
"""

import secrets

from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Person
from tocsin.audit.services import record
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .. import progress, sealing
from ..models import CoalitionPledge, Part, Pledge, Signature
from .pledges import pledge_context


@transaction.atomic
def activate_if_met(pledge_id: int) -> bool:
    """Unseal every signer and send "It's on" to all of them at once, if the threshold is
    met; return whether the pledge went on. Running it again changes nothing.

    Every signature counts, as progress counted it: each was made by a member on the roll,
    in their group on the roll. One whose signer has since been erased names nobody. The
    table is written anew in random order, so that the rows' places, which the database
    keeps in the order of signing, do not say who went first once names are in them.
    """
    part = Part.objects.filter(pledge_id=pledge_id).first()
    if part is not None:
        # A union's part of a coalition pledge goes live with all the others or not at all;
        # that function takes its locks in its own order, so none is taken here first.
        return activate_coalition_if_met(part.coalition_pledge_id)
    pledge = Pledge.objects.select_for_update().filter(pk=pledge_id).first()
    if pledge is None or not pledge.is_open or not progress.threshold_met(pledge):
        return False
    turn_on(pledge)
    return True


def turn_on(pledge: Pledge) -> None:
    """Unseal the signers of a pledge whose threshold is met (locked by the caller), turn it
    on, and tell every signer, one alert per group."""
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


@transaction.atomic
def activate_coalition_if_met(coalition_pledge_id: int) -> bool:
    """Turn on every union's pledge of a coalition pledge at once, if every union named has
    accepted and each has met its own threshold; return whether it went live. The coalition
    pledge is locked first, then the unions' pledges in the order of their keys (as no
    other code locks two pledges, no two jobs wait on each other)."""
    found = CoalitionPledge.objects.select_for_update().filter(pk=coalition_pledge_id).first()
    if found is None or not found.is_open:
        return False
    parts = list(found.parts.order_by("pledge_id"))
    if not parts or any(part.pledge_id is None for part in parts):
        return False
    pledges = list(
        Pledge.objects.select_for_update()
        .filter(pk__in=[part.pledge_id for part in parts])
        .order_by("pk")
    )
    if len(pledges) != len(parts) or not all(
        pledge.is_open and progress.threshold_met(pledge) for pledge in pledges
    ):
        return False
    for pledge in pledges:
        turn_on(pledge)
    found.state, found.activated_at = CoalitionPledge.State.ACTIVE, timezone.now()
    found.save(update_fields=["state", "activated_at"])
    record(None, "pledges.coalition.activated", found, organization=found.organization)
    return True


@transaction.atomic
def expire_coalition(coalition_pledge_id: int) -> bool:
    """At the deadline without every union's threshold: end the coalition pledge (each
    union's own pledge expires as any pledge does, its signatures deleted)."""
    found = CoalitionPledge.objects.select_for_update().filter(pk=coalition_pledge_id).first()
    if found is None or not found.is_open or timezone.now() < found.deadline:
        return False
    found.state, found.ended_at = CoalitionPledge.State.EXPIRED, timezone.now()
    found.save(update_fields=["state", "ended_at"])
    record(None, "pledges.coalition.expired", found, organization=found.organization)
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
    """Turn on every open pledge whose threshold is met (a coalition's with all its unions),
    and end every one past its deadline without it, coalition pledges too (the worker's
    minute job); return how many changed."""
    changed = 0
    for pledge_id in Pledge.objects.filter(state=Pledge.State.OPEN).values_list("pk", flat=True):
        changed += activate_if_met(pledge_id) or expire(pledge_id)
    open_coalition_pledges = CoalitionPledge.objects.filter(state=CoalitionPledge.State.OPEN)
    for coalition_pledge_id in open_coalition_pledges.values_list("pk", flat=True):
        changed += expire_coalition(coalition_pledge_id)
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
