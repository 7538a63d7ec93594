"""What one organization shares with another, now: the one place that reads sharing agreements.

Every feature that crosses organizations (alerts, dispatch, events, hotline handovers,
clauses and playbooks) asks here, so an agreement that has ended, or has not started,
shares nothing anywhere.
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


def in_force(what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements that share `what` at this moment."""
    now = timezone.now()
    return SharingAgreement.objects.filter(
        Q(active=True),
        Q(ended_at__isnull=True) | Q(ended_at__gt=now),
        **{str(what): True},
    )


def given_by(organization: Organization | int, what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements in force by which this organization shares `what` with others."""
    return in_force(what).filter(organization=organization)


def received_by(organization: Organization | int, what: Shares | str) -> QuerySet[SharingAgreement]:
    """Return the agreements in force by which others share `what` with this organization."""
    return in_force(what).filter(partner=organization)


def givers_to(organization: Organization | int, what: Shares | str) -> list[int]:
    """Return the ids of the organizations that share `what` with this one now."""
    return list(received_by(organization, what).values_list("organization_id", flat=True))


def receivers_from(organization: Organization | int, what: Shares | str) -> list[int]:
    """Return the ids of the organizations this one shares `what` with now."""
    return list(given_by(organization, what).values_list("partner_id", flat=True))
