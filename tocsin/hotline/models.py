"""The hotline: each member's own emergency plan, and the case of a detained person.

Everything a plan holds, a case's name, place, facility, locator details, notes, task
titles and the messages to families are encrypted at rest. A plan is read by nobody at the
union until a case is open for it, and every read of a plan or a case is audited
(access.py). A release, a transfer or a removal is a turn in a case, not its end: the
hotline closes the case when the work is done. A closed case keeps its outcome and dates;
its sensitive fields are erased when it closes (locator details) and after the
organization's case retention period, counted from the close (the rest;
services/retention.py). Nothing here asks for or stores immigration status.
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import EncryptedTextField
from tocsin.core.ids import short_code


class EmergencyPlan(models.Model):
    """A member's plan for the day they, or someone in their household, are taken.

    `content` is one encrypted JSON document (forms.PlanForm says what it holds); the PIN
    that sets the plan off from the member's phone is kept as a password hash.
    """

    person = models.OneToOneField(
        "accounts.Person", on_delete=models.CASCADE, related_name="emergency_plan"
    )
    # The organization whose hotline the plan calls.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="emergency_plans"
    )
    content_encrypted = EncryptedTextField(blank=True)
    pin_hash = models.CharField(max_length=200, editable=False)
    failed_pins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"emergency plan {self.pk}"

    @property
    def content(self) -> dict:
        return json.loads(self.content_encrypted) if self.content_encrypted else {}

    @content.setter
    def content(self, value: dict) -> None:
        self.content_encrypted = json.dumps(value, ensure_ascii=False)

    def recipients(self) -> list[dict]:
        """Return the people the plan tells when it is set off: its trusted contacts, then
        the lawyer, each as {name, relation, channel, address, language}."""
        content = self.content
        people = [dict(contact) for contact in content.get("contacts", [])]
        lawyer = content.get("lawyer") or {}
        if lawyer.get("address"):
            people.append({**lawyer, "relation": "lawyer"})
        return people


class Facility(models.Model):
    """A detention facility, from the organization's own list."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="facilities"
    )
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="one_facility_name")
        ]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """The hotline's record of one detained person, from first call to its close.

    `state` is where the person's story stands (a release is a turn, after which a bond
    hearing or a task can still come); `ended_at` is when the hotline closed the case."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        LOCATED = "located", _("located")
        COUNSEL_ASSIGNED = "counsel_assigned", _("counsel assigned")
        HEARING_SCHEDULED = "hearing_scheduled", _("hearing scheduled")
        RELEASED = "released", _("released")
        TRANSFERRED = "transferred", _("transferred")
        REMOVED = "removed", _("removed")
        # Only cases closed before step 8 have it: closing now keeps the state it closes in.
        CLOSED = "closed", _("closed")

    class Agency(models.TextChoices):
        ICE = "ice", _("ICE")
        CBP = "cbp", _("CBP (Border Patrol)")
        POLICE = "police", _("local police or sheriff")
        OTHER = "other", _("another agency")
        UNKNOWN = "unknown", _("not known")

    class OpenedVia(models.TextChoices):
        MEMBER = "member", _("the member's own phone")
        CALL = "call", _("a call to the hotline")
        INCIDENT = "incident", _("an incident")
        API = "api", _("the API")

    # Turns a case takes and goes on from: the hotline still works it until it closes it.
    TURNS = (State.RELEASED, State.TRANSFERRED, State.REMOVED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Read aloud on the phone between volunteers: "case k7m2p".
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="cases"
    )
    # The member who was taken, when it is a member.
    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # The plan set off: the member's own, or that of the member whose household it covers.
    plan = models.ForeignKey(
        EmergencyPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # The person's name or alias, as the hotline knows them.
    name = EncryptedTextField(blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_where = EncryptedTextField(blank=True)
    agency = models.CharField(max_length=10, choices=Agency.choices, default=Agency.UNKNOWN)
    incident = models.ForeignKey(
        "response.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    facility_text = EncryptedTextField(blank=True)
    # Locator details (an A-number, a booking number): erased when the case is closed.
    locator = EncryptedTextField(blank=True)
    # People the hotline keeps informed besides the plan's contacts (a caller from the
    # family): encrypted JSON list of {name, relation, channel, address, language}.
    family_encrypted = EncryptedTextField(blank=True)
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_worked",
    )
    legal_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_counselled",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    opened_via = models.CharField(max_length=10, choices=OpenedVia.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    # When the hotline closed the case (retention runs from here); empty while it is open.
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # Handed over to another organization's hotline (a member detained in its city): that
    # organization works the case while the sharing agreement it was handed over under
    # (`handover_agreement`, its id) stays in force; the case stays this organization's.
    handed_to = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_received",
    )
    handed_at = models.DateTimeField(null=True, blank=True)
    handover_agreement = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"case {self.code}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def audit_id(self) -> str:
        """The case's code: the name every screen, volunteer and audit entry uses for it."""
        return self.code

    @property
    def family(self) -> list[dict]:
        return json.loads(self.family_encrypted) if self.family_encrypted else []

    @family.setter
    def family(self, value: list[dict]) -> None:
        self.family_encrypted = json.dumps(value, ensure_ascii=False) if value else ""

    def recipients(self) -> list[dict]:
        """Return the people family updates go to: the plan's, then the case's own."""
        return [*(self.plan.recipients() if self.plan else []), *self.family]


class CaseEvent(models.Model):
    """A line of a case's timeline: a call, a visit, a hearing, a change, a message sent."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("case opened")
        CALL = "call", _("call")
        VISIT = "visit", _("visit")
        HEARING = "hearing", _("hearing")
        NOTE = "note", _("note")
        STATE = "state", _("state changed")
        ASSIGNED = "assigned", _("assigned")
        NOTIFIED = "notified", _("plan contacts told")
        FAMILY_UPDATE = "family_update", _("family update")
        TASK = "task", _("task")
        CLOSED = "closed", _("case closed")
        REOPENED = "reopened", _("case reopened")
        HANDED_OVER = "handed_over", _("handed over")
        HANDED_BACK = "handed_back", _("back with its organization")
        ERASED = "erased", _("sensitive details erased")

    # Kinds a volunteer writes by hand; the others are written by the changes themselves.
    LOGGED_BY_HAND = (Kind.CALL, Kind.VISIT, Kind.HEARING, Kind.NOTE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    note = EncryptedTextField(blank=True)
    # States, counts and ids; never a name, an address or a note.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class CaseTask(models.Model):
    """Something to do for a case by a date: its owner is reminded when it falls due."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    title = EncryptedTextField()
    due_at = models.DateTimeField(db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["done_at", "due_at"]

    def __str__(self) -> str:
        return f"task {self.code}"


class CaseMessage(models.Model):
    """One message from a case to one person outside Tocsin (a plan contact, a lawyer, a
    relative), sent by the worker through the delivery channels, with its own status."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("the plan's prepared message")
        UPDATE = "update", _("family update")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    relation = models.CharField(max_length=20, blank=True)
    recipient_name = EncryptedTextField(blank=True)
    channel = models.CharField(max_length=10)
    address = EncryptedTextField()
    language = models.CharField(max_length=5, default="en")
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Who answers for a queued message, as for a delivery (tocsin/delivery/leases.py): no
    # claim and a time ahead, a job waiting in the queue; a job's claim, that job sending
    # it; no time or one past, nobody: the minute sweep gives it a new job.
    claim = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} message {self.pk} ({self.status})"
