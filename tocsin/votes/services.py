"""Set up a vote, take its roll and send the ballots, cast a ballot, count, check a receipt.

Casting is the one change here that writes no audit entry, no log line, no session and
no job: it deletes the elector's pending ballot and fills one blank ballot, chosen at
random, in one transaction, and nothing else anywhere (decision 0011).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person, Unit
from tocsin.audit.services import record
from tocsin.core.crypto import blind_index
from tocsin.core.ids import short_code
from tocsin.core.times import in_server_zone
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .models import Ballot, Elector, PendingBallot, Vote, VoteOption

MAX_QUESTION = 300
MAX_OPTION = 120
MAX_OPTIONS = 20
LONGEST_VOTE = timedelta(days=366)
RECEIPT_LENGTH = 16
RECEIPT_PURPOSE = "votes.receipt"
# How many ballots each cast rewrites along with the one it fills (all of a smaller box).
REWRITTEN_WITH_A_CAST = 1000
BALLOT_SALT = "tocsin.votes.ballot-link"
# Pick a blank ballot this many times before giving up (two casts raced for the same one).
PICK_ATTEMPTS = 20


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
    """Write the roll, the pending ballots and as many blank ballots, once; return its size.

    Call inside a transaction that holds the vote's row locked.
    """
    person_ids = list(eligible_people(vote).values_list("pk", flat=True))
    if not person_ids:
        raise ValidationError({"unit": _("This unit has no active members to vote.")})
    Elector.objects.bulk_create(Elector(vote=vote, person_id=pk) for pk in person_ids)
    PendingBallot.objects.bulk_create(PendingBallot(vote=vote, person_id=pk) for pk in person_ids)
    Ballot.objects.bulk_create(Ballot(vote=vote) for _pk in person_ids)
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


# The ballot link: a signed value naming the vote and the person.


def ballot_token(vote: Vote, person: Person) -> str:
    return signing.dumps({"v": vote.code, "p": str(person.public_id)}, salt=BALLOT_SALT)


def ballot_path(vote: Vote, person: Person) -> str:
    return reverse("votes:ballot", kwargs={"token": ballot_token(vote, person)})


def elector_for_token(token: str) -> tuple[Vote, Person] | None:
    """Return the vote and the elector a ballot token names, or None when it is forged, or
    names someone not on the roll, or the vote has closed (the link expires at the close)."""
    try:
        value = signing.loads(token, salt=BALLOT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    vote = (
        Vote.objects.select_related("organization", "unit").filter(code=str(value.get("v"))).first()
    )
    if vote is None or vote.is_closed:
        return None
    elector = (
        Elector.objects.select_related("person")
        .filter(vote=vote, person__public_id=str(value.get("p")), person__is_active=True)
        .first()
        if is_uuid(str(value.get("p")))
        else None
    )
    if elector is None:
        return None
    return vote, elector.person


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# Casting.


class AlreadyVoted(ValidationError):
    """The elector's pending ballot is gone: they have voted."""


def has_voted(vote: Vote, person: Person) -> bool:
    return (
        Elector.objects.filter(vote=vote, person=person).exists()
        and not PendingBallot.objects.filter(vote=vote, person=person).exists()
    )


def refuse_unless_open(vote: Vote) -> None:
    state = vote.state
    if state == Vote.State.CLOSED:
        raise ValidationError({"vote": _("Voting has closed.")})
    if state != Vote.State.OPEN:
        when = timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError({"vote": _("Voting opens at %(when)s.") % {"when": when}})


def cast(person: Person, vote: Vote, option: VoteOption | None) -> str:
    """Cast the person's ballot for `option`; return the receipt code, shown only this once.

    One transaction: delete the person's pending ballot (locked; if it is gone, they have
    voted and nothing is stored) and fill a blank ballot chosen at random. Nothing else is
    written anywhere: no audit entry, no log line, no session, no job.
    """
    if option is None or option.vote_id != vote.pk:
        raise ValidationError({"option": _("Choose one of the vote's options.")})
    refuse_unless_open(vote)
    receipt = short_code(RECEIPT_LENGTH)
    with transaction.atomic():
        pending = (
            PendingBallot.objects.select_for_update(of=("self",))
            .filter(vote=vote, person=person)
            .first()
        )
        if pending is None:
            if not Elector.objects.filter(vote=vote, person=person).exists():
                raise ValidationError({"vote": _("You are not on this vote's roll.")})
            raise AlreadyVoted({"vote": _("You have already voted. Only one ballot counts.")})
        deleted, _rows = PendingBallot.objects.filter(pk=pending.pk).delete()
        if not deleted:
            raise AlreadyVoted({"vote": _("You have already voted. Only one ballot counts.")})
        if not fill_a_blank_ballot(vote, option, blind_index(receipt, RECEIPT_PURPOSE)):
            raise ValidationError({"vote": _("The ballot box is full. Tell the organizers.")})
    return receipt


def fill_a_blank_ballot(vote: Vote, option: VoteOption, receipt_hash: str) -> bool:
    """Fill a blank ballot chosen at random, in one statement that rewrites it together with
    other ballots of the box: the whole box when the roll is at most REWRITTEN_WITH_A_CAST,
    that many ballots drawn at random otherwise.

    On PostgreSQL each update writes a new row version stamped with its transaction (xmin)
    and placed where it lands (ctid), so updating one row per cast would order the box by
    casting for anyone with plain SQL. Rewritten with the others, the ballot just cast
    shares its stamp with all of them and lands among them, no differently. Drawing the
    others, rather than always the whole box, keeps a cast's cost bounded in a large unit
    (docs/benchmarks.md, `tocsin bench ballots`).
    """
    whole_box_too_big = roll_size(vote) > REWRITTEN_WITH_A_CAST
    for _attempt in range(PICK_ATTEMPTS):
        blank = (
            Ballot.objects.filter(vote=vote, option__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)
            .first()
        )
        if blank is None:
            return False
        box = Ballot.objects.filter(vote=vote)
        if whole_box_too_big:
            others = box.exclude(pk=blank).order_by("?").values_list("pk", flat=True)
            box = Ballot.objects.filter(pk__in=[blank, *others[: REWRITTEN_WITH_A_CAST - 1]])
        chosen = When(pk=blank, option__isnull=True, then=Value(option.pk))
        hashed = When(pk=blank, option__isnull=True, then=Value(receipt_hash))
        box.update(
            option=Case(chosen, default=F("option"), output_field=BigIntegerField()),
            receipt_hash=Case(hashed, default=F("receipt_hash")),
        )
        # Another cast may have filled that blank first; then this one filled nothing.
        if Ballot.objects.filter(pk=blank, receipt_hash=receipt_hash).exists():
            return True
    return False


# Counting.


@dataclass
class Result:
    vote: Vote
    roll: int
    voted: int
    counts: list[tuple[VoteOption, int]]
    quorum_needed: int

    @property
    def quorum_met(self) -> bool:
        return self.voted >= self.quorum_needed

    @property
    def turnout_percent(self) -> int:
        return round(100 * self.voted / self.roll) if self.roll else 0

    @property
    def winners(self) -> list[VoteOption]:
        top = max((count for _option, count in self.counts), default=0)
        return [option for option, count in self.counts if count == top and top > 0]


def roll_size(vote: Vote) -> int:
    return vote.electors.count()


def turnout(vote: Vote) -> int:
    """How many electors have voted: the roll less the pending ballots."""
    return roll_size(vote) - vote.pending.count()


def quorum_needed(vote: Vote, roll: int) -> int:
    if vote.quorum_kind == Vote.QuorumKind.PERCENT:
        return -(-vote.quorum_value * roll // 100)  # rounded up
    return vote.quorum_value


class ResultsHidden(ValidationError):
    """The vote is still open: nobody sees any count of ballots until it closes."""


def result(vote: Vote) -> Result:
    """Return the counts per option, the turnout and the quorum, once the vote has closed."""
    if not vote.is_closed:
        when = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
        raise ResultsHidden(
            {"vote": _("Results are hidden until the vote closes at %(when)s.") % {"when": when}}
        )
    options = list(vote.options.order_by("position"))
    counted: dict[int, int] = {option.pk: 0 for option in options}
    for option_id in Ballot.objects.filter(vote=vote, option__isnull=False).values_list(
        "option_id", flat=True
    ):
        counted[option_id] += 1
    roll = roll_size(vote)
    return Result(
        vote=vote,
        roll=roll,
        voted=turnout(vote),
        counts=[(option, counted[option.pk]) for option in options],
        quorum_needed=quorum_needed(vote, roll),
    )


def check_receipt(receipt: str) -> Vote | None:
    """Return the vote whose box holds a ballot with this receipt, or None. It never says
    which option the ballot holds: a receipt that proved a choice could be demanded."""
    receipt = "".join(char for char in (receipt or "").lower() if char.isalnum())
    if not receipt or len(receipt) > RECEIPT_LENGTH:
        return None
    ballot = (
        Ballot.objects.select_related("vote")
        .filter(receipt_hash=blind_index(receipt, RECEIPT_PURPOSE))
        .first()
    )
    return ballot.vote if ballot is not None else None
