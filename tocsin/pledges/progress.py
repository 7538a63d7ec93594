"""Who a pledge asks, and how far it has come, without saying who signed.

A pledge counts in groups: one group for a unit, a site, the organization or several units
"all together"; one group per unit for "each of them". Before the threshold a group shows
only a bucket of the way to its threshold, and a group smaller than the pledge's minimum
shows nothing at all.
"""

import math
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Membership, Unit

from . import sealing
from .models import Pledge

UNDER_25, FROM_25, FROM_50, FROM_75, MET = "under_25", "25_50", "50_75", "over_75", "met"
BUCKETS = [UNDER_25, FROM_25, FROM_50, FROM_75, MET]
BUCKET_LABELS = {
    UNDER_25: _("under a quarter of the way"),
    FROM_25: _("a quarter to halfway"),
    FROM_50: _("halfway to three quarters"),
    FROM_75: _("over three quarters of the way"),
    MET: _("the threshold is met"),
}
UNIT_SCOPES = {Pledge.Scope.UNIT, Pledge.Scope.UNITS_EACH, Pledge.Scope.UNITS_ALL}


@dataclass(frozen=True)
class Group:
    name: str
    unit: Unit | None
    eligible: int
    signed: int
    required: int
    min_size: int

    @property
    def met(self) -> bool:
        return self.required > 0 and self.signed >= self.required

    @property
    def shown(self) -> bool:
        """Whether the group is big enough for its progress to be shown at all."""
        return self.eligible >= self.min_size

    @property
    def bucket(self) -> str | None:
        if not self.shown or self.required <= 0:
            return None
        if self.met:
            return MET
        quarter = min(int(4 * self.signed / self.required), 3)
        return BUCKETS[quarter]

    @property
    def percent(self) -> int:
        """The share of eligible members who signed: shown only once the pledge is on."""
        return round(100 * self.signed / self.eligible) if self.eligible else 0


def eligible_memberships(pledge: Pledge) -> QuerySet[Membership]:
    """Return the active memberships a pledge asks: its unit(s), its site or everyone."""
    memberships = Membership.objects.filter(organization_id=pledge.organization_id, active=True)
    if pledge.scope in UNIT_SCOPES:
        return memberships.filter(unit__in=pledge.units.all())
    if pledge.scope == Pledge.Scope.SITE:
        return memberships.filter(site=pledge.site)
    return memberships


def membership_asked(pledge: Pledge, person) -> Membership | None:
    return eligible_memberships(pledge).filter(person=person).select_related("unit").first()


def group_of(pledge: Pledge, membership: Membership) -> Unit | None:
    """The group a signature counts in: its unit when units count each on their own."""
    if pledge.scope in (Pledge.Scope.UNIT, Pledge.Scope.UNITS_EACH):
        return membership.unit
    return None


def required_for(pledge: Pledge, eligible: int) -> int:
    if pledge.threshold_kind == Pledge.ThresholdKind.PERCENT:
        return math.ceil(eligible * pledge.threshold_value / 100)
    return pledge.threshold_value


def scope_name(pledge: Pledge) -> str:
    if pledge.scope in UNIT_SCOPES:
        return ", ".join(unit.name for unit in pledge.units.order_by("name"))
    if pledge.scope == Pledge.Scope.SITE and pledge.site:
        return pledge.site.name
    return pledge.organization.name


def counted_signatures(pledge: Pledge) -> Counter:
    """Count the signatures of members the pledge still asks, by the unit each is in now
    (None for the one group of a site, an organization or units "all together").

    A signer who has since left, been deactivated or erased, or moved out of the pledge's
    units no longer counts. Their signature is sealed, so it is found the way a member's
    own is: by the blind index of each member still asked.
    """
    index_of = sealing.signer_indexer(pledge.code)
    per_unit = pledge.scope in (Pledge.Scope.UNIT, Pledge.Scope.UNITS_EACH)
    group_of_index = {
        index_of(str(public_id)): unit_id if per_unit else None
        for public_id, unit_id in eligible_memberships(pledge).values_list(
            "person__public_id", "unit_id"
        )
    }
    counted: Counter = Counter()
    for index in pledge.signatures.values_list("signer_index", flat=True):
        if index in group_of_index:
            counted[group_of_index[index]] += 1
    return counted


def groups(pledge: Pledge) -> list[Group]:
    eligible = eligible_memberships(pledge)
    signed = counted_signatures(pledge)
    if pledge.scope in (Pledge.Scope.UNIT, Pledge.Scope.UNITS_EACH):
        sizes = dict(eligible.values("unit").annotate(n=Count("pk")).values_list("unit", "n"))
        return [
            Group(
                unit.name,
                unit,
                sizes.get(unit.pk, 0),
                signed[unit.pk],
                required_for(pledge, sizes.get(unit.pk, 0)),
                pledge.min_group_size,
            )
            for unit in pledge.units.order_by("name")
        ]
    size = eligible.count()
    return [
        Group(
            scope_name(pledge),
            None,
            size,
            signed[None],
            required_for(pledge, size),
            pledge.min_group_size,
        )
    ]


def threshold_met(pledge: Pledge) -> bool:
    found = groups(pledge)
    return bool(found) and all(group.met for group in found)


def overall_bucket(pledge: Pledge, found: list[Group] | None = None) -> str | None:
    """Return the pledge's bucket: its least advanced group's, among groups big enough to
    show; None when none is (or when it expired)."""
    if pledge.state == Pledge.State.ACTIVE:
        return MET
    if pledge.state == Pledge.State.EXPIRED:
        return None
    shown = [group.bucket for group in (found or groups(pledge)) if group.shown and group.bucket]
    if not shown:
        return None
    return min(shown, key=lambda bucket: BUCKETS.index(bucket))


def threshold_text(pledge: Pledge) -> str:
    """Say the threshold in words: "60% of Metro Transit bus operators"."""
    names = {"name": scope_name(pledge), "value": pledge.threshold_value}
    if pledge.threshold_kind == Pledge.ThresholdKind.PERCENT:
        if pledge.scope == Pledge.Scope.UNITS_EACH:
            return gettext("%(value)s%% of each of %(name)s") % names
        return gettext("%(value)s%% of %(name)s") % names
    if pledge.scope == Pledge.Scope.UNITS_EACH:
        return (
            ngettext(
                "%(value)s member in each of %(name)s",
                "%(value)s members in each of %(name)s",
                pledge.threshold_value,
            )
            % names
        )
    return (
        ngettext(
            "%(value)s member of %(name)s", "%(value)s members of %(name)s", pledge.threshold_value
        )
        % names
    )
