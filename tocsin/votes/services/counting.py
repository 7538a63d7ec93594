"""Count a vote: the roll, the turnout, the quorum and the result after the close, and
check a receipt (it says a ballot was counted, never for what).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.core.crypto import blind_index

from ..models import Receipt, Tally, Vote, VoteOption
from .casting import RECEIPT_LENGTH, RECEIPT_PURPOSE


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
