"""Set up a vote: check and create it, take its roll (the unit's active members when the
ballots go) and send the ballots, at once or when voting opens.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person, Unit
from tocsin.audit.services import record
from tocsin.core.times import in_server_zone
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from ..models import Elector, PendingBallot, Tally, Vote, VoteOption

MAX_QUESTION = 300
MAX_OPTION = 120
MAX_OPTIONS = 20
LONGEST_VOTE = timedelta(days=366)


@dataclass
class VoteInput:
    question: str = ""
    options: list[str] = field(default_factory=list)
    unit: Unit | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    quorum_kind: str = Vote.QuorumKind.PERCENT
    quorum_value: int | None = 0


def clean_vote(organization: Organization, data: VoteInput) -> tuple[VoteInput, datetime, datetime]:
    """Return the input cleaned with its opening and close, or raise ValidationError
    naming each wrong field."""
    errors: dict[str, str] = {}
    data.question = (data.question or "").strip()
    if not data.question:
        errors["question"] = _("Write the question members vote on.")
    elif len(data.question) > MAX_QUESTION:
        errors["question"] = _("Keep the question under %(max)d characters.") % {
            "max": MAX_QUESTION
        }
    options = [" ".join(option.split()) for option in data.options]
    options = [option for option in options if option]
    if len(options) < 2:
        errors["options"] = _("Give at least two options, one per line.")
    elif len(options) > MAX_OPTIONS:
        errors["options"] = _("Give at most %(max)d options.") % {"max": MAX_OPTIONS}
    elif any(len(option) > MAX_OPTION for option in options):
        errors["options"] = _("Keep each option under %(max)d characters.") % {"max": MAX_OPTION}
    elif len({option.casefold() for option in options}) != len(options):
        errors["options"] = _("Each option must be different.")
    data.options = options
    if data.unit is None or data.unit.organization_id != organization.pk:
        errors["unit"] = _("Choose a unit of this organization.")
    now = timezone.now()
    data.opens_at, data.closes_at = in_server_zone(data.opens_at), in_server_zone(data.closes_at)
    if data.opens_at is None:
        errors["opens_at"] = _("Give the date and time voting opens.")
    if data.closes_at is None:
        errors["closes_at"] = _("Give the date and time voting closes.")
    elif data.closes_at <= now:
        errors["closes_at"] = _("The close must be in the future.")
    elif data.opens_at is not None and data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The close must come after the opening.")
    elif data.closes_at > now + LONGEST_VOTE:
        errors["closes_at"] = _("The close must be within a year.")
    if data.quorum_kind not in Vote.QuorumKind.values:
        errors["quorum_kind"] = _("Choose a number of ballots or a percentage of the roll.")
    elif data.quorum_value is None or data.quorum_value < 0:
        errors["quorum_value"] = _("Give the quorum as a number, 0 for none.")
    elif data.quorum_kind == Vote.QuorumKind.PERCENT and data.quorum_value > 100:
        errors["quorum_value"] = _("A percentage is at most 100.")
    elif data.quorum_value > 100_000:
        errors["quorum_value"] = _("Give a quorum of at most 100,000 ballots.")
    if errors or data.opens_at is None or data.closes_at is None:
        raise ValidationError(errors)
    return data, data.opens_at, data.closes_at


@transaction.atomic
def create_vote(actor: Person | None, organization: Organization, data: VoteInput) -> Vote:
    """Create a vote and its options. Its ballots go out when it opens (or when sent)."""
    data, opens_at, closes_at = clean_vote(organization, data)
    vote = Vote.objects.create(
        organization=organization,
        unit=data.unit,
        question=data.question,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_kind=data.quorum_kind,
        quorum_value=data.quorum_value or 0,
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
    )
    VoteOption.objects.bulk_create(
        VoteOption(vote=vote, label=label, position=position)
        for position, label in enumerate(data.options, start=1)
    )
    Tally.objects.create(vote=vote, counts=Tally.encode([0] * len(data.options)))
    record(actor, "votes.vote.created", vote, options=len(data.options))
    return vote


def eligible_people(vote: Vote):
    """The people of the unit's active memberships: who goes on the roll."""
    if vote.unit_id is None:
        return Person.objects.none()
    return Person.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organization=vote.organization_id, unit=vote.unit_id, active=True
        ).values("person_id"),
    ).order_by("pk")


def take_roll(vote: Vote) -> int:
    """Write the roll and the pending ballots, once; return the roll's size.

    Call inside a transaction that holds the vote's row locked.
    """
    person_ids = list(eligible_people(vote).values_list("pk", flat=True))
    if not person_ids:
        raise ValidationError({"unit": _("This unit has no active members to vote.")})
    if len(person_ids) >= 10**Tally.COUNT_DIGITS:
        raise ValidationError({"unit": _("This unit is too large for one vote.")})
    Elector.objects.bulk_create(Elector(vote=vote, person_id=pk) for pk in person_ids)
    PendingBallot.objects.bulk_create(PendingBallot(vote=vote, person_id=pk) for pk in person_ids)
    vote.ballots_sent_at = timezone.now()
    vote.save(update_fields=["ballots_sent_at"])
    return len(person_ids)


def ballot_alert_context(vote: Vote) -> dict:
    local = timezone.localtime
    return {
        "event": "invite",
        "code": vote.code,
        "question": vote.question,
        "unit": vote.unit.name if vote.unit else "",
        "opens": local(vote.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes": local(vote.closes_at).strftime("%Y-%m-%d %H:%M"),
        # Ballots sent before the vote opens say when it opens, not that it is open.
        "opens_later": vote.opens_at > timezone.now(),
    }


@transaction.atomic
def send_ballots(actor: Person | None, vote: Vote) -> Vote:
    """Take the roll of the unit as it is now and send each elector their ballot link.

    Sending twice changes nothing; a closed vote is not sent."""
    vote = (
        Vote.objects.select_for_update(of=("self",))
        .select_related("organization", "unit")
        .get(pk=vote.pk)
    )
    if vote.ballots_sent_at is not None:
        return vote
    if vote.is_closed:
        raise ValidationError({"vote": _("This vote has closed; its ballots were never sent.")})
    size = take_roll(vote)
    alert = create_alert(
        vote.organization,
        Alert.Kind.BALLOT,
        ballot_alert_context(vote),
        {"person_ids": list(vote.electors.values_list("person_id", flat=True))},
        actor=actor,
    )
    send_alert(alert, actor=actor)
    record(actor, "votes.vote.ballots_sent", vote, roll=size)
    return vote


def send_due_ballots() -> int:
    """Send the ballots of every vote that has opened without them; return how many votes."""
    now = timezone.now()
    due = Vote.objects.filter(
        ballots_sent_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    ).order_by("opens_at", "pk")
    sent = 0
    for vote in due:
        try:
            send_ballots(None, vote)
        except ValidationError:
            continue
        sent += 1
    return sent
