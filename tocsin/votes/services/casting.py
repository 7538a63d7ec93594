"""Cast a ballot, and have the database forget the versions a cast replaced.

Casting is the one change here that writes no audit entry, no log line, no session and
no job: in one transaction it deletes the elector's pending ballot, adds one to an option
of the vote's tally and keeps the receipt's keyed hash; once that commits, it has the
database forget the versions it replaced (`erase_casting_history`). Decision 0011 says
why, and what a seized server still holds.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.core.crypto import blind_index
from tocsin.core.ids import short_code

from ..models import Elector, PendingBallot, Receipt, Tally, Vote, VoteOption

RECEIPT_LENGTH = 16
RECEIPT_PURPOSE = "votes.receipt"


# How long erasing the casting history may wait for others' reads (SQLite) or locks
# (PostgreSQL) before leaving it to the next cast or to the minute job.
ERASE_WAIT_MS = 2000
# The minute job keeps erasing this long after a vote closes (its last casts' leftovers).
ERASE_AFTER_CLOSE = timedelta(hours=1)


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
