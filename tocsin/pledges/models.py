"""Pledges, their rolls and their signatures.

A pledge's roll is taken when it is sent: the members it asks then, in the groups it counts
them in, and nothing that happens to memberships afterwards changes it (decision 0009).
While a pledge is open, a signature holds no readable link to its signer: the signer is
sealed to the pledge's public key, and only the activation job opens the private key. A
blind index under a key of the pledge's own lets a member find and withdraw their own
signature, and stops them signing twice.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import EncryptedTextField
from tocsin.core.ids import short_code

# The floors of decision 0009: a pledge turns on with 5 signatures at least, and asks groups
# of 10 members at least. Settings may raise them (tocsin.pledges.floors), never lower them.
SIGNATURES_FLOOR = 5
GROUP_FLOOR = 10
DEFAULT_MIN_GROUP_SIZE = GROUP_FLOOR


class Pledge(models.Model):
    class Scope(models.TextChoices):
        UNIT = "unit", _("one unit")
        UNITS_EACH = "units_each", _("several units, each of them")
        UNITS_ALL = "units_all", _("several units, all together")
        SITE = "site", _("a site")
        ORGANIZATION = "organization", _("the whole organization")

    class ThresholdKind(models.TextChoices):
        PERCENT = "percent", _("a percentage of eligible members")
        COUNT = "count", _("a number of members")

    class State(models.TextChoices):
        OPEN = "open", _("collecting signatures")
        ACTIVE = "active", _("on: the threshold was met")
        EXPIRED = "expired", _("did not reach the threshold")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="pledges"
    )
    action = models.CharField(_("what we pledge to do"), max_length=200)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    scope = models.CharField(_("who is asked"), max_length=20, choices=Scope.choices)
    units = models.ManyToManyField("accounts.Unit", blank=True, related_name="pledges")
    site = models.ForeignKey(
        "accounts.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="pledges"
    )
    threshold_kind = models.CharField(max_length=10, choices=ThresholdKind.choices)
    threshold_value = models.PositiveIntegerField(
        _("threshold"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    deadline = models.DateTimeField(_("deadline"))
    # Below this many eligible members, a group's progress is never shown, not even a bucket.
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group whose progress is shown"),
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=[MinValueValidator(GROUP_FLOOR), MaxValueValidator(1000)],
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # The X25519 key pair signatures are sealed to. The public half is all the web process
    # needs; the private half, encrypted at rest, is opened only by the activation or expiry
    # job and erased by it.
    public_key = models.CharField(max_length=64, editable=False)
    private_key = EncryptedTextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the roll was taken (at the send); None while the pledge asks nobody yet.
    roll_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(threshold_kind="percent") | models.Q(threshold_value__lte=100),
                name="pledge_percent_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return self.action

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def roll_taken(self) -> bool:
        """Whether its roll was taken (when it was sent): only then may anyone sign."""
        return self.roll_taken_at is not None

    @property
    def signable(self) -> bool:
        """Whether a signature may be added or withdrawn now (open or on, before the deadline)."""
        return self.state != self.State.EXPIRED and timezone.now() < self.deadline


class AskedGroup(models.Model):
    """A group a sent pledge counts on its own: each unit of a "one unit" or "each of them"
    pledge, or the one group of a site, an organization or units "all together". Its name
    is kept as it was at the send, so renaming or deleting a unit changes no count."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="groups")
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.name


class AskedMember(models.Model):
    """One member on a pledge's roll, in the group they were in when it was sent. Who was
    asked is no secret (each of them got the pledge); whether they signed is not here.
    Erasing the person leaves the entry without them, so the roll never shrinks."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="roll")
    group = models.ForeignKey(AskedGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "person"],
                condition=models.Q(person__isnull=False),
                name="asked_once",
            )
        ]

    def __str__(self) -> str:
        return f"asked by pledge {self.pledge_id}"


class Signature(models.Model):
    """One member's signature. It has a random key and no time (late, open signatures
    have one), and at activation the table is written anew in random order, so neither
    the keys nor the rows' places keep the order of signing. `group` is the signer's group
    on the roll, which progress needs, and says nothing about who."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="signatures")
    group = models.ForeignKey(
        AskedGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    signer_index = models.CharField(max_length=64, editable=False)
    # While the pledge is open: the signer's public id, sealed to the pledge's public key.
    sealed_signer = models.TextField(blank=True, editable=False)
    # Once the pledge is on: the signer, openly (and for late signers from the start). An
    # erased signer's signature stays, naming nobody, so that erasing changes no count.
    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_openly_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pledge", "signer_index"], name="one_signature_each")
        ]

    def __str__(self) -> str:
        return f"signature on pledge {self.pledge_id}"


class CoalitionPledge(models.Model):
    """A pledge a coalition proposes to several unions at once (decision 0029): each union
    that takes part asks its own members in a pledge of its own (a Part's `pledge`), sealed
    and counted as any pledge is, against its own threshold; all of them go live together
    only when the last one meets it. The coalition holds no member, signature or count."""

    class State(models.TextChoices):
        OPEN = "open", _("waiting for every union to meet its threshold")
        ACTIVE = "active", _("on: every union met its threshold")
        EXPIRED = "expired", _("did not go live by the deadline")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="coalition_pledges"
    )
    action = models.CharField(_("what we pledge to do"), max_length=200)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.action

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Part(models.Model):
    """One union named in a coalition pledge, with its own threshold. Its `pledge` is the
    union's own pledge, made when an organizer of the union accepts (choosing whom in the
    union it asks) and sent at once; until then the union has not agreed to take part."""

    coalition_pledge = models.ForeignKey(
        CoalitionPledge, on_delete=models.CASCADE, related_name="parts"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="coalition_parts"
    )
    threshold_kind = models.CharField(max_length=10, choices=Pledge.ThresholdKind.choices)
    threshold_value = models.PositiveIntegerField(
        _("threshold"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    pledge = models.OneToOneField(
        Pledge, null=True, blank=True, on_delete=models.SET_NULL, related_name="coalition_part"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition_pledge", "organization"], name="one_part_per_union"
            ),
            models.CheckConstraint(
                condition=~models.Q(threshold_kind="percent") | models.Q(threshold_value__lte=100),
                name="part_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.coalition_pledge}"

    @property
    def accepted(self) -> bool:
        return self.pledge_id is not None
