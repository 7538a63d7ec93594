"""Set up a vote, take its roll and send the ballots, cast a ballot, count, check a receipt.

Casting is the one change here that writes no audit entry, no log line, no session and
no job: in one transaction it deletes the elector's pending ballot, adds one to an option
of the vote's tally and keeps the receipt's keyed hash; once that commits, it has the
database forget the versions it replaced (`erase_casting_history`). Decision 0011 says
why, and what a seized server still holds.
"""

import base64
import binascii
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
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

from .models import Elector, PendingBallot, Receipt, Tally, Vote, VoteOption

MAX_QUESTION = 300
MAX_OPTION = 120
MAX_OPTIONS = 20
LONGEST_VOTE = timedelta(days=366)
RECEIPT_LENGTH = 16
RECEIPT_PURPOSE = "votes.receipt"
BALLOT_LINK_PURPOSE = b"tocsin.votes.ballot-link"
# How long erasing the casting history may wait for others' reads (SQLite) or locks
# (PostgreSQL) before leaving it to the next cast or to the minute job.
ERASE_WAIT_MS = 2000
# The minute job keeps erasing this long after a vote closes (its last casts' leftovers).
ERASE_AFTER_CLOSE = timedelta(hours=1)


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


# The ballot link: an opaque token, the vote's and the person's ids sealed with AES-SIV.


@cache
def ballot_link_ciphers(secrets: tuple[str, ...]) -> list[AESSIV]:
    """One cipher per secret key, newest first, each with a key of its own for this use."""
    return [
        AESSIV(HKDF(SHA256(), 64, salt=None, info=BALLOT_LINK_PURPOSE).derive(secret.encode()))
        for secret in secrets
    ]


def ciphers() -> list[AESSIV]:
    return ballot_link_ciphers((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def ballot_token(vote: Vote, person: Person) -> str:
    """Return the person's ballot link token for the vote: 43 characters that name nobody.

    The ids are encrypted and authenticated (AES-SIV under a key derived from the secret
    key), so the link says whose ballot it is only to the server, and the same person gets
    the same link each time (from the message and from their votes page)."""
    sealed = ciphers()[0].encrypt(struct.pack(">QQ", vote.pk, person.pk), [BALLOT_LINK_PURPOSE])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def ballot_path(vote: Vote, person: Person) -> str:
    return reverse("votes:ballot", kwargs={"token": ballot_token(vote, person)})


def ids_in_token(token: str) -> tuple[int, int] | None:
    """Return the vote's and the person's ids a ballot token seals, or None if forged."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(sealed) != 32:
        return None
    for cipher in ciphers():
        try:
            vote_id, person_id = struct.unpack(">QQ", cipher.decrypt(sealed, [BALLOT_LINK_PURPOSE]))
        except InvalidTag:
            continue
        return vote_id, person_id
    return None


def elector_for_token(token: str) -> tuple[Vote, Person] | None:
    """Return the vote and the elector a ballot token names, or None when it is forged, or
    names someone not on the roll, or the vote has closed (the link expires at the close)."""
    ids = ids_in_token(token)
    if ids is None:
        return None
    vote = Vote.objects.select_related("organization", "unit").filter(pk=ids[0]).first()
    if vote is None or vote.is_closed:
        return None
    elector = (
        Elector.objects.select_related("person")
        .filter(vote=vote, person_id=ids[1], person__is_active=True)
        .first()
    )
    if elector is None:
        return None
    return vote, elector.person


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
    voted and nothing is stored), add one to the option in the vote's tally and keep the
    receipt's keyed hash. Nothing else is written anywhere: no audit entry, no log line,
    no session, no job. Once it commits, the database forgets the versions it replaced.
    """
    if option is None or option.vote_id != vote.pk:
        raise ValidationError({"option": _("Choose one of the vote's options.")})
    refuse_unless_open(vote)
    receipt = short_code(RECEIPT_LENGTH)
    overwrite_what_is_deleted()
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
        count_in(vote, option)
        Receipt.objects.create(vote=vote, receipt_hash=blind_index(receipt, RECEIPT_PURPOSE))
        transaction.on_commit(erase_casting_history)
    return receipt


def count_in(vote: Vote, option: VoteOption) -> None:
    """Add one ballot for `option` to the vote's tally, rewriting the tally's one row.

    The row is locked (SQLite's immediate transactions hold the database's write lock from
    their start), so two casts never read the same counts."""
    tally = Tally.objects.select_for_update().get(vote=vote)
    counts = Tally.decode(tally.counts)
    counts[option.position - 1] += 1
    Tally.objects.filter(vote=vote).update(counts=Tally.encode(counts))


def overwrite_what_is_deleted() -> None:
    """Have SQLite zero what this connection deletes (the pending ballot's bytes, the
    tally's old text when a page is rewritten) instead of leaving it in the page."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def erase_casting_history(full: bool = False) -> bool:
    """Have the database forget the versions of the tally and of the pending ballots that
    casts replaced; return whether it ran to the end (decision 0011 says what it leaves).

    SQLite: copy the write-ahead log into the database file and truncate it to nothing, so
    that no frame keeps the tally as it was before a cast. PostgreSQL: VACUUM the tally and
    the pending ballots, which removes the dead row versions (the old counts, the deleted
    pending ballots with the casting transaction as their xmax) that no open transaction
    still sees; `full` rewrites the tally's table into a new file, which also drops the
    bytes that VACUUM leaves in the pages' free space.

    It runs after a cast has committed, so it never fails the cast: a database too busy to
    do it now (a reader, a lock) leaves it to the next cast or to the minute job
    (tasks.py), as does a caller inside a transaction.
    """
    if connection.in_atomic_block:
        return False
    try:
        if connection.vendor == "sqlite":
            return truncate_the_write_ahead_log()
        if connection.vendor == "postgresql":
            vacuum_the_tally(full)
            return True
    except DatabaseError:
        return False
    return False


def truncate_the_write_ahead_log() -> bool:
    """Checkpoint SQLite's WAL into the file and truncate it, waiting at most ERASE_WAIT_MS
    for readers of an older snapshot; return whether the log is now empty."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waited,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {ERASE_WAIT_MS}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _frames, _copied = cursor.fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
    return busy == 0


def vacuum_the_tally(full: bool) -> None:
    """VACUUM the tally and the pending ballots (and with `full`, rewrite the tally),
    waiting at most ERASE_WAIT_MS for a lock."""
    tally, pending = (
        connection.ops.quote_name(model._meta.db_table) for model in (Tally, PendingBallot)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {ERASE_WAIT_MS}")
        try:
            cursor.execute(f"VACUUM (INDEX_CLEANUP OFF) {tally}, {pending}")
            if full:
                cursor.execute(f"VACUUM FULL {tally}")
        finally:
            cursor.execute("RESET lock_timeout")


def erase_leftover_history() -> bool:
    """Erase the casting history fully (see erase_casting_history) while any vote is open
    or closed within ERASE_AFTER_CLOSE; return whether there was one and it could."""
    recent = timezone.now() - ERASE_AFTER_CLOSE
    if not Vote.objects.filter(ballots_sent_at__isnull=False, closes_at__gt=recent).exists():
        return False
    return erase_casting_history(full=True)


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
    counted = Tally.decode(Tally.objects.get(vote=vote).counts)
    roll = roll_size(vote)
    return Result(
        vote=vote,
        roll=roll,
        voted=turnout(vote),
        counts=list(zip(options, counted, strict=True)),
        quorum_needed=quorum_needed(vote, roll),
    )


def check_receipt(receipt: str) -> Vote | None:
    """Return the vote that counted the ballot with this receipt, or None. It never says
    which option: nothing stored says it, and a receipt that proved a choice could be
    demanded."""
    receipt = "".join(char for char in (receipt or "").lower() if char.isalnum())
    if not receipt or len(receipt) > RECEIPT_LENGTH:
        return None
    found = (
        Receipt.objects.select_related("vote")
        .filter(receipt_hash=blind_index(receipt, RECEIPT_PURPOSE))
        .first()
    )
    return found.vote if found is not None else None
