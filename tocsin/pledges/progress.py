"""Who a pledge asks, and how far it has come, without saying who signed.

A pledge counts in groups: one group for a unit, a site, the organization or several units
"all together"; one group per unit for "each of them". Whom each group holds is its roll,
taken when the pledge is sent and never changed after (decision 0009): moving, adding,
deactivating or erasing members later changes no count, so it cannot show who signed.
Before the threshold a group shows only a bucket of the way to its threshold, and a group
smaller than the pledge's minimum shows nothing at all.
"""

import math
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Membership, Organization, Person, Site, Unit
from tocsin.audit.models import AuditEntry

from .models import AskedGroup, AskedMember, Pledge

# The audit action of a change to the members of an open pledge's groups (receivers.py).
ASKED_CHANGED = "pledges.pledge.asked_changed"
CHANGE_LABELS = {
    "in": _("moved a member into the groups it asks"),
    "out": _("moved a member out of the groups it asks, or deactivated them"),
    "between": _("moved a member between the groups it asks"),
    "erased": _("erased a member it asks"),
}

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
    key: int | None = None  # the AskedGroup, once the roll is taken

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
        """The share of members asked who signed: shown only once the pledge is on."""
        return round(100 * self.signed / self.eligible) if self.eligible else 0


@dataclass(frozen=True)
class PlannedGroup:
    """A group as the memberships stand now: what the roll would hold if taken now."""

    name: str
    unit: Unit | None
    memberships: QuerySet[Membership]


def planned_groups(
    organization: Organization, scope: str, units: list[Unit], site: Site | None
) -> list[PlannedGroup]:
    """Return the groups a pledge of this scope asks now: its units' (each on its own for
    "one unit" and "each of them"), its site's or the whole organization's active members."""
    memberships = Membership.objects.filter(organization_id=organization.pk, active=True)
    units = sorted(units, key=lambda unit: (unit.name, unit.pk))
    if scope in (Pledge.Scope.UNIT, Pledge.Scope.UNITS_EACH):
        return [PlannedGroup(unit.name, unit, memberships.filter(unit=unit)) for unit in units]
    if scope == Pledge.Scope.UNITS_ALL:
        names = ", ".join(unit.name for unit in units)
        return [PlannedGroup(names, None, memberships.filter(unit__in=units))]
    if scope == Pledge.Scope.SITE:
        return [PlannedGroup(site.name if site else "", None, memberships.filter(site=site))]
    return [PlannedGroup(organization.name, None, memberships)]


def planned_groups_of(pledge: Pledge) -> list[PlannedGroup]:
    return planned_groups(pledge.organization, pledge.scope, list(pledge.units.all()), pledge.site)


def asked_now(pledge: Pledge) -> set[int]:
    """The people the pledge's scope holds now (not the roll): for the moves notice."""
    found: set[int] = set()
    for group in planned_groups_of(pledge):
        found.update(group.memberships.values_list("person_id", flat=True))
    return found


def asked_entry(pledge: Pledge, person: Person) -> AskedMember | None:
    """Return the person's entry on the pledge's roll: None when it does not ask them
    (not sent yet, or they were not in its groups when it was sent)."""
    return pledge.roll.filter(person=person).select_related("group").first()


def roll_people(pledge: Pledge) -> list[int]:
    """The people on the roll, erased ones left out."""
    return sorted(pledge.roll.filter(person__isnull=False).values_list("person_id", flat=True))


def required_for(pledge: Pledge, eligible: int) -> int:
    if pledge.threshold_kind == Pledge.ThresholdKind.PERCENT:
        return math.ceil(eligible * pledge.threshold_value / 100)
    return pledge.threshold_value


def scope_name(pledge: Pledge) -> str:
    if pledge.roll_taken:
        return ", ".join(group.name for group in pledge.groups.order_by("name", "pk"))
    if pledge.scope in UNIT_SCOPES:
        return ", ".join(unit.name for unit in pledge.units.order_by("name"))
    if pledge.scope == Pledge.Scope.SITE and pledge.site:
        return pledge.site.name
    return pledge.organization.name


def groups(pledge: Pledge) -> list[Group]:
    """Return the pledge's groups: the roll's, with the signatures in each; before the
    roll is taken, the groups as they stand now, with nobody signed (nobody can sign)."""
    if not pledge.roll_taken:
        preview = []
        for planned in planned_groups_of(pledge):
            size = planned.memberships.count()
            preview.append(
                Group(
                    planned.name,
                    planned.unit,
                    size,
                    0,
                    required_for(pledge, size),
                    pledge.min_group_size,
                )
            )
        return preview
    sizes = Counter(
        dict(pledge.roll.values("group").annotate(n=Count("pk")).values_list("group", "n"))
    )
    signed = Counter(
        dict(pledge.signatures.values("group").annotate(n=Count("pk")).values_list("group", "n"))
    )
    found: list[AskedGroup] = list(pledge.groups.select_related("unit").order_by("name", "pk"))
    return [
        Group(
            group.name,
            group.unit,
            sizes[group.pk],
            signed[group.pk],
            required_for(pledge, sizes[group.pk]),
            pledge.min_group_size,
            group.pk,
        )
        for group in found
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


@dataclass(frozen=True)
class AskedChanges:
    """What changed in the groups of a sent pledge: each change an admin made (newest
    first, as the audit log has them), and how the groups now differ from the roll."""

    count: int
    latest: list[AuditEntry]
    joined: int  # in the groups now, not on the roll
    gone: int  # on the roll, not in the groups now (moved, deactivated or erased)

    @property
    def shown(self) -> bool:
        return bool(self.count or self.joined or self.gone)


def asked_changes(pledge: Pledge, shown: int = 20) -> AskedChanges | None:
    """Return the changes to the members of a sent pledge's groups since it was sent."""
    if not pledge.roll_taken:
        return None
    entries = (
        AuditEntry.objects.filter(
            organization_id=pledge.organization_id,
            action=ASKED_CHANGED,
            object_type="pledge",
            object_id=pledge.code,
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    now = asked_now(pledge)
    roll = list(pledge.roll.values_list("person_id", flat=True))
    on_roll = {person_id for person_id in roll if person_id is not None}
    return AskedChanges(
        count=entries.count(),
        latest=list(entries[:shown]),
        joined=len(now - on_roll),
        gone=sum(1 for person_id in roll if person_id not in now),
    )
