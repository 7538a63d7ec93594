"""What one organization shares with another, now: the one place that reads sharing agreements.

Every feature that crosses organizations (alerts, dispatch, events, hotline handovers,
clauses and playbooks) asks here, so an agreement that was only offered, was declined, has
ended, has not started or is past its planned end shares nothing anywhere. A both-ways
agreement makes each side a giver to the other (decision 0028).
"""

from django.db.models import Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organization, SharingAgreement


class Shares(TextChoices):
    """What an agreement may share; each is a boolean field of SharingAgreement."""

    ALERTS = "alerts", _("verified alerts")
    DISPATCH = "dispatch", _("dispatch of incidents")
    EVENTS = "events", _("events and campaigns")
    HOTLINE = "hotline", _("hotline cases handed over")
    CLAUSES = "clauses", _("clauses and playbooks")


BOTH_WAYS = SharingAgreement.Direction.BOTH_WAYS


def _pk(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def in_force(what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements that share `what` at this moment."""
    now = timezone.now()
    return SharingAgreement.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        state=SharingAgreement.State.IN_FORCE,
        starts_at__lte=now,
        **{str(what): True},
    )


def given_by(organization: Organization | int, what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements in force by which this organization shares `what` with others
    (those it made, and the both-ways ones made with it)."""
    return in_force(what).filter(
        Q(organization=organization) | Q(partner=organization, direction=BOTH_WAYS)
    )


def received_by(organization: Organization | int, what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements in force by which others share `what` with this organization."""
    return in_force(what).filter(
        Q(partner=organization) | Q(organization=organization, direction=BOTH_WAYS)
    )


def between(
    giver: Organization | int, receiver: Organization | int, what: Shares | str
) -> QuerySet[SharingAgreement]:
    """Return the agreements in force by which `giver` shares `what` with `receiver`: those
    it made with it, and the both-ways ones either of them made."""
    return in_force(what).filter(
        Q(organization=giver, partner=receiver)
        | Q(organization=receiver, partner=giver, direction=BOTH_WAYS)
    )


def _others(agreements: QuerySet[SharingAgreement], organization: Organization | int) -> list[int]:
    pk = _pk(organization)
    ids = {
        theirs if ours == pk else ours
        for ours, theirs in agreements.values_list("organization_id", "partner_id")
    }
    return sorted(ids)


def givers_to(organization: Organization | int, what: Shares | str) -> list[int]:
    """Return the ids of the organizations that share `what` with this one now."""
    return _others(received_by(organization, what), organization)


def receivers_from(organization: Organization | int, what: Shares | str) -> list[int]:
    """Return the ids of the organizations this one shares `what` with now."""
    return _others(given_by(organization, what), organization)


def receivers_covering(
    organization: Organization | int,
    what: Shares | str,
    lat=None,
    lng=None,
    site_id: int | None = None,
) -> list[int]:
    """Return the ids of the organizations this one shares `what` with now for something at
    (lat, lng), at that site if any: an agreement with an area or named sites counts only
    when the place is inside it."""
    pk = _pk(organization)
    ids = {
        agreement.other_side(pk)
        for agreement in given_by(pk, what).prefetch_related("sites")
        if agreement.covers(lat, lng, site_id)
    }
    return sorted(ids)
