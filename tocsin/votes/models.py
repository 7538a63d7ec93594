"""Models of tocsin.votes: a vote and its options, the roll, the pending ballots, the tally
and the receipts.

Nothing here holds a person next to a choice, and nothing holds a choice of one ballot:

- `Elector` rows are the snapshot of who may vote, taken once when the ballots go out and
  never changed afterwards.
- `PendingBallot` rows are created with the roll, one per elector, and DELETED when the
  elector casts. Who has voted is the roll minus the pending ballots.
- `Tally` is one row per vote holding how many ballots each option has, in a text of fixed
  width. A cast adds one to one option of it; no row says which ballot went where.
- `Receipt` rows are the keyed hashes of the receipt codes shown to voters, with no option.

Decision 0011 says why each looks as it does, and what a seized server still holds.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.ids import short_code


class Vote(models.Model):
    """A secret-ballot vote of one unit: a question, its options, a window and a quorum."""

    class QuorumKind(models.TextChoices):
        COUNT = "count", _("a number of ballots")
        PERCENT = "percent", _("a percentage of the roll")

    class State(models.TextChoices):
        DRAFT = "draft", _("ballots not sent yet")
        WAITING = "waiting", _("ballots sent, voting not open yet")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="votes"
    )
    # A unit deleted later leaves its votes, and their results, in place.
    unit = models.ForeignKey(
        "accounts.Unit", null=True, on_delete=models.SET_NULL, related_name="votes"
    )
    question = models.CharField(_("question"), max_length=300)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), db_index=True)
    quorum_kind = models.CharField(
        max_length=8, choices=QuorumKind.choices, default=QuorumKind.PERCENT
    )
    # 0: no quorum. A percentage is of the roll (the electors), not of the unit today.
    quorum_value = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the roll was taken and the ballots sent; None until then.
    ballots_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "code"]

    def __str__(self) -> str:
        return f"vote {self.code}"

    def state_at(self, now=None) -> str:
        now = now or timezone.now()
        if now >= self.closes_at:
            return self.State.CLOSED
        if self.ballots_sent_at is None:
            return self.State.DRAFT
        if now < self.opens_at:
            return self.State.WAITING
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_at()

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)


class VoteOption(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=120)
    # 1, 2, 3…: the order on the ballot, and the option's number in the API.
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["vote", "position"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "position"], name="one_option_per_position"),
            models.UniqueConstraint(fields=["vote", "label"], name="one_option_per_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Elector(models.Model):
    """One person on a vote's roll. Written once, with the roll; never updated."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electors")
    person = models.ForeignKey("accounts.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["vote", "person"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "person"], name="one_elector_per_person")
        ]

    def __str__(self) -> str:
        return f"elector of {self.vote}"


class PendingBallot(models.Model):
    """An elector who has not voted yet. Deleted, never updated, when they cast."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="pending")
    person = models.ForeignKey("accounts.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["vote", "person"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "person"], name="one_pending_ballot")
        ]

    def __str__(self) -> str:
        return f"pending ballot of {self.vote}"


class Tally(models.Model):
    """How many ballots each option of a vote holds: one row per vote, made with the vote.

    The counts are one text of fixed width (`COUNT_DIGITS` digits per option, in the
    options' order, comma-separated), so that rewriting it at each cast never changes the
    row's size: a SQLite cell of the same size is overwritten where it lies, and a
    PostgreSQL row version the same size lands where the last one's copy lay. A count
    stored as a number would grow a byte at 2, 128, …, and the row would move at a moment
    that depends on which option reached that size first.
    """

    COUNT_DIGITS = 8

    vote = models.OneToOneField(
        Vote, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    counts = models.CharField(max_length=(COUNT_DIGITS + 1) * 20)

    def __str__(self) -> str:
        return f"tally of {self.vote}"

    @classmethod
    def encode(cls, counts: list[int]) -> str:
        return ",".join(f"{count:0{cls.COUNT_DIGITS}d}" for count in counts)

    @staticmethod
    def decode(text: str) -> list[int]:
        return [int(count) for count in text.split(",")]


class Receipt(models.Model):
    """A receipt code's keyed hash, kept to answer "was this ballot counted?". No option,
    no person, no time, no sequential key: it proves a ballot is in the tally, never which."""

    # HMAC of the receipt code under the server's blind-index key.
    receipt_hash = models.CharField(max_length=64, primary_key=True)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="receipts")

    def __str__(self) -> str:
        return f"receipt of {self.vote}"
