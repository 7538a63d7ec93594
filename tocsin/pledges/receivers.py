"""What pledges do when memberships change or a person is erased (decision 0009).

Neither changes a count: a pledge counts the roll it took when it was sent. But a change to
the members of an open pledge's groups is how someone would probe it, so each one is
recorded as its own audit entry, which the pledge's page lists for the other organizers
and admins. And an erased signer's signature is cut loose from them, still counted.
"""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from tocsin.accounts.models import Person
from tocsin.accounts.signals import Placement, membership_changed
from tocsin.audit.services import record

from . import progress
from .models import Pledge
from .services import signing


def group_key(pledge: Pledge, units: set[int], placement: Placement) -> object | None:
    """Return the group of the pledge's scope this placement falls in, or None."""
    if not placement.active:
        return None
    if pledge.scope in progress.UNIT_SCOPES:
        if placement.unit_id not in units:
            return None
        return "all" if pledge.scope == Pledge.Scope.UNITS_ALL else placement.unit_id
    if pledge.scope == Pledge.Scope.SITE:
        return "all" if placement.site_id == pledge.site_id else None
    return "all"


@receiver(membership_changed)
def flag_changes_to_the_members_asked(
    sender, actor, membership, before: Placement, erased: bool = False, **kwargs
) -> None:
    """Record a change that takes a member into, out of or between the groups of an open,
    sent pledge of their organization."""
    open_pledges = Pledge.objects.filter(
        organization_id=membership.organization_id,
        state=Pledge.State.OPEN,
        roll_taken_at__isnull=False,
    )
    for pledge in open_pledges:
        units = set(pledge.units.values_list("pk", flat=True))
        was = group_key(pledge, units, before)
        now = None if erased else group_key(pledge, units, Placement.of(membership))
        if was == now:
            continue
        if erased:
            change = "erased"
        elif was is None:
            change = "in"
        elif now is None:
            change = "out"
        else:
            change = "between"
        record(
            actor,
            progress.ASKED_CHANGED,
            pledge,
            organization=pledge.organization,
            change=change,
            member=str(membership.person.public_id),
        )


@receiver(pre_delete, sender=Person)
def forget_an_erased_signer(sender, instance: Person, **kwargs) -> None:
    """Before a person is deleted, cut any signature of theirs loose from them."""
    for pledge in Pledge.objects.filter(roll__person=instance).exclude(state=Pledge.State.EXPIRED):
        signing.forget_signer(pledge, instance)
