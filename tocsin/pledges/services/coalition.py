"""Coalition pledges (decision 0029): a coalition names its unions, each with its own
threshold; a union takes part when one of its organizers accepts, which makes and sends
the union's own pledge to the members it chooses to ask. Each union's pledge is sealed and
counted as any pledge (decision 0009); all of them go live together when the last one
meets its threshold (outcome.activate_coalition_if_met).

The coalition reads each union's state and bucket through `union_states`, never a count,
a roll or a signature.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.audit.services import record

from .. import floors, progress
from ..models import CoalitionPledge, Part, Pledge
from .checks import LONGEST_PLEDGE, MAX_ACTION, MAX_DETAILS, PledgeInput
from .pledges import create_pledge, send_pledge

# What the coalition sees of a union, in the order a union goes through them.
INVITED, COLLECTING, MET, ON, ENDED = "invited", "collecting", "met", "on", "ended"
UNION_STATE_LABELS = {
    INVITED: gettext_lazy("asked to take part: not accepted yet"),
    COLLECTING: gettext_lazy("collecting signatures"),
    MET: gettext_lazy("met its threshold: waiting for the other unions"),
    ON: gettext_lazy("on"),
    ENDED: gettext_lazy("did not go live"),
}


@dataclass
class PartInput:
    organization: Organization
    threshold_kind: str
    threshold_value: int | None


@dataclass
class CoalitionPledgeInput:
    action: str
    deadline: datetime | None
    details: str = ""
    parts: list[PartInput] = field(default_factory=list)


def unions_of(coalition: Organization) -> QuerySet[Organization]:
    """Return the organizations a coalition may ask to take part: its member organizations
    and its children."""
    return (
        Organization.objects.filter(Q(coalitions=coalition) | Q(parent=coalition))
        .exclude(pk=coalition.pk)
        .distinct()
        .order_by("name")
    )


def part_field(organization: Organization) -> str:
    """The form field (and error key) of a union's threshold."""
    return f"threshold-{organization.slug}"


def clean_coalition_pledge(
    coalition: Organization, data: CoalitionPledgeInput
) -> dict[str, list[str]]:
    """Return the errors of a new coalition pledge, by field name (empty when it may be made)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.action.strip():
        add("action", _("Say what you pledge to do."))
    elif len(data.action) > MAX_ACTION:
        add("action", _("Keep it under %(n)s characters.") % {"n": MAX_ACTION})
    if len(data.details) > MAX_DETAILS:
        add("details", _("Keep it under %(n)s characters.") % {"n": MAX_DETAILS})
    now = timezone.now()
    if data.deadline is None:
        add("deadline", _("Give a deadline."))
    elif data.deadline <= now:
        add("deadline", _("The deadline must be in the future."))
    elif data.deadline > now + LONGEST_PLEDGE:
        add("deadline", _("The deadline must be within a year."))
    allowed = {organization.pk for organization in unions_of(coalition)}
    if len(data.parts) < 2:
        add("unions", _("Choose two unions or more: a pledge of one union is its own to make."))
    for part in data.parts:
        name = part_field(part.organization)
        value = part.threshold_value
        if part.organization.pk not in allowed:
            add("unions", _("Choose unions of this coalition."))
        elif part.threshold_kind not in Pledge.ThresholdKind.values:
            add(name, _("Choose a percentage or a number."))
        elif value is None or value < 1:
            add(name, _("Give a threshold of 1 or more."))
        elif part.threshold_kind == Pledge.ThresholdKind.PERCENT and value > 100:
            add(name, _("A percentage is at most 100."))
        elif value > 100_000:
            add(name, _("That is more people than Tocsin counts."))
        elif part.threshold_kind == Pledge.ThresholdKind.COUNT and value < floors.min_signatures():
            add(
                name,
                _(
                    "Ask for at least %(min)s signatures. With fewer, the pledge going live "
                    "would name the first signers, not a group."
                )
                % {"min": floors.min_signatures()},
            )
    return errors


@transaction.atomic
def create_coalition_pledge(
    actor: Person | None, coalition: Organization, data: CoalitionPledgeInput
) -> CoalitionPledge:
    """Make a coalition pledge naming its unions, each with its threshold; nobody is asked
    until a union's organizer accepts for their union."""
    errors = clean_coalition_pledge(coalition, data)
    if errors or data.deadline is None:
        raise ValidationError(errors)
    found = CoalitionPledge.objects.create(
        organization=coalition,
        action=data.action.strip(),
        details=data.details.strip(),
        deadline=data.deadline,
        created_by=actor,
    )
    for part in data.parts:
        assert part.threshold_value is not None
        Part.objects.create(
            coalition_pledge=found,
            organization=part.organization,
            threshold_kind=part.threshold_kind,
            threshold_value=part.threshold_value,
        )
    record(
        actor,
        "pledges.coalition.created",
        found,
        organization=coalition,
        unions=sorted(part.organization.slug for part in data.parts),
    )
    return found


@dataclass
class Acceptance:
    """Whom in the union its part asks: the scope and units or site of an ordinary pledge."""

    scope: str
    units: list[Unit] = field(default_factory=list)
    site: Site | None = None
    min_group_size: int | None = None


@transaction.atomic
def accept(actor: Person, part: Part, whom: Acceptance) -> Pledge:
    """Take part for the union: make its own pledge with the coalition's words, deadline and
    this union's threshold, asking whom the union's organizer chose, and send it to them.
    Refused, with nothing written, when the coalition pledge has ended, the union took part
    already, or the union's pledge breaks a rule or a floor (named by field)."""
    coalition_pledge = CoalitionPledge.objects.select_for_update().get(pk=part.coalition_pledge_id)
    part = Part.objects.select_for_update().get(pk=part.pk)
    if not coalition_pledge.is_open:
        raise ValidationError({"pledge": _("This coalition pledge has ended.")})
    if part.accepted:
        raise ValidationError({"pledge": _("Your union takes part already.")})
    pledge = create_pledge(
        actor,
        part.organization,
        PledgeInput(
            action=coalition_pledge.action,
            details=coalition_pledge.details,
            scope=whom.scope,
            units=whom.units,
            site=whom.site,
            threshold_kind=part.threshold_kind,
            threshold_value=part.threshold_value,
            deadline=coalition_pledge.deadline,
            min_group_size=whom.min_group_size,
        ),
    )
    part.pledge, part.accepted_by, part.accepted_at = pledge, actor, timezone.now()
    part.save(update_fields=["pledge", "accepted_by", "accepted_at"])
    send_pledge(actor, pledge)
    record(
        actor,
        "pledges.coalition.accepted",
        pledge,
        organization=part.organization,
        coalition_pledge=coalition_pledge.code,
    )
    # The coalition's own log says that the union took part, and by whom in no way.
    record(
        None,
        "pledges.coalition.union_accepted",
        coalition_pledge,
        organization=coalition_pledge.organization,
        union=part.organization.slug,
    )
    return pledge


@dataclass(frozen=True)
class UnionState:
    """What a coalition sees of one union: its name, threshold, state and bucket."""

    name: str
    threshold_kind: str
    threshold_value: int
    state: str
    bucket: str | None

    @property
    def label(self) -> str:
        return str(UNION_STATE_LABELS[self.state])

    @property
    def threshold(self) -> str:
        if self.threshold_kind == Pledge.ThresholdKind.PERCENT:
            return _("%(value)s%% of the members it asks") % {"value": self.threshold_value}
        return _("%(value)s members") % {"value": self.threshold_value}


def union_state(part: Part) -> UnionState:
    pledge = part.pledge
    bucket: str | None = None
    if pledge is None:
        state = ENDED if part.coalition_pledge.state == CoalitionPledge.State.EXPIRED else INVITED
    elif pledge.state == Pledge.State.ACTIVE:
        state, bucket = ON, progress.MET
    elif pledge.state == Pledge.State.EXPIRED:
        state = ENDED
    else:
        bucket = progress.overall_bucket(pledge)
        met = bucket == progress.MET and progress.threshold_met(pledge)
        state = MET if met else COLLECTING
    return UnionState(
        part.organization.name, part.threshold_kind, part.threshold_value, state, bucket
    )


def union_states(coalition_pledge: CoalitionPledge) -> list[UnionState]:
    """Return each union's state and bucket, by union name: never a count or a person."""
    parts = coalition_pledge.parts.select_related("organization", "pledge").order_by(
        "organization__name", "pk"
    )
    return [union_state(part) for part in parts]
