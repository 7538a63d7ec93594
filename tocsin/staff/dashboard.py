"""What needs a staff member's attention, organization by organization, for the staff home.

Counts only, and each only for the roles that open the screen it links to: open incidents
for dispatchers, failed deliveries for those who send alerts, pledges over three quarters of
the way (in the pledge's own coarse buckets, never a signer) and coming events for
organizers and admins.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.campaigns.models import Event
from tocsin.delivery.models import Delivery
from tocsin.pledges import progress
from tocsin.pledges.models import Pledge
from tocsin.response.models import Incident

FAILED_WINDOW = timedelta(hours=24)
SENDERS = Role.DISPATCHER | Role.ORGANIZER | Role.ADMIN
ORGANIZERS = Role.ORGANIZER | Role.ADMIN


@dataclass
class Attention:
    """One organization's counts; None where the person's roles do not open the screen."""

    membership: Membership
    roles: list[str]
    open_incidents: int | None = None
    failed_deliveries: int | None = None
    pledges_near: int | None = None
    coming_events: int | None = None

    @property
    def total(self) -> int:
        counts = (self.open_incidents, self.failed_deliveries, self.pledges_near)
        return sum(count or 0 for count in counts)


def attention(membership: Membership, now=None) -> Attention:
    """Return what needs attention in the membership's organization, for its roles."""

    now = now or timezone.now()
    organization = membership.organization
    found = Attention(membership, [role.label for role in Role if membership.roles & role])
    if membership.has(Role.DISPATCHER):
        found.open_incidents = Incident.objects.filter(
            organization=organization, state__in=Incident.OPEN_STATES
        ).count()
    if membership.has(SENDERS):
        found.failed_deliveries = Delivery.objects.filter(
            alert__organization=organization,
            status=Delivery.Status.FAILED,
            created_at__gte=now - FAILED_WINDOW,
        ).count()
    if membership.has(ORGANIZERS):
        open_pledges = Pledge.objects.filter(organization=organization, state=Pledge.State.OPEN)
        found.pledges_near = sum(
            1 for pledge in open_pledges if progress.overall_bucket(pledge) == progress.FROM_75
        )
        # The events the campaigns page lists as "Our coming events".
        found.coming_events = (
            Event.objects.filter(organization=organization, ends_at__gte=now)
            .exclude(state=Event.State.PROPOSED)
            .count()
        )
    return found


def home_rows(person) -> list[Attention]:
    """Return the person's active memberships with their counts, by organization name."""
    memberships = (
        person.memberships.filter(active=True)
        .select_related("organization")
        .order_by("organization__name")
    )
    return [attention(membership) for membership in memberships]
