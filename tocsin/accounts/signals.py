"""What accounts tells the apps above it, which it must not import (pledges, for one)."""

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class Placement:
    """Where a membership stood: its unit, its site, and whether it was active."""

    unit_id: int | None
    site_id: int | None
    active: bool

    @classmethod
    def of(cls, membership) -> "Placement":
        return cls(membership.unit_id, membership.site_id, membership.active)


# Sent inside the transaction when an admin changes a membership's unit, site or active
# state, and just before one erases a member: `actor`, `membership`, `before` (a
# Placement) and `erased`. Receivers record, they do not refuse.
membership_changed = Signal()
