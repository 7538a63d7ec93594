"""The checks of a new pledge: its text, scope, threshold and deadline, and the floors
below which its progress would name a person (floors.py). Each wrong field is named.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.accounts.models import Organization, Site, Unit
from tocsin.core.times import in_server_zone

from .. import floors, progress
from ..models import Pledge

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
