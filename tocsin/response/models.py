"""Rapid response: reports, the incidents they describe, photos, answers and the timeline.

What a reporter typed, where they can be called back and the raw text of an inbound
message are encrypted at rest; the reporter's contact and the raw text are erased when the
organization's retention period after the incident ends runs out (services/retention.py).
Nothing here says who a reporter is to anyone but the dispatchers of the organization, and
no screen shows it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tocsin.core import geo
from tocsin.core.crypto import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField
from tocsin.core.ids import short_code


class Burst(models.Model):
    """New incidents from anonymous reports that opened soon after the dispatchers were
    paged (within TOCSIN_PAGE_HOLD_SECONDS): the console shows them as one group, and one
    page tells their count when the hold ends, instead of a page each (services/paging.py)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="bursts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    paged_at = models.DateTimeField(null=True, blank=True)
    # Whether anonymous reports came faster than the organization's ceiling meanwhile.
    flood = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"burst {self.pk}"


class Incident(models.Model):
    """The event that one or more reports describe; it is verified, broadcast or closed."""

    class State(models.TextChoices):
        NEW = "new", _("new")
        VERIFYING = "verifying", _("verifying")
        CONFIRMED = "confirmed", _("confirmed")
        RESOLVED = "resolved", _("resolved")
        DISMISSED = "dismissed", _("dismissed")

    class DismissReason(models.TextChoices):
        FALSE_ALARM = "false_alarm", _("false alarm")
        UNVERIFIABLE = "unverifiable", _("could not be verified")
        DUPLICATE = "duplicate", _("duplicate")
        MALICIOUS = "malicious", _("malicious")

    OPEN_STATES = (State.NEW, State.VERIFYING, State.CONFIRMED)
    # Confirmed by a dispatcher and not retracted since: what people beyond the dispatchers
    # and verifiers may hear of.
    VERIFIED_STATES = (State.CONFIRMED, State.RESOLVED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="incidents"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    dismiss_reason = models.CharField(max_length=14, choices=DismissReason.choices, blank=True)
    site = models.ForeignKey(
        "accounts.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    h3_cell = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    # Where, in words: the site's name or what the first report typed.
    where = EncryptedTextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    last_report_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_incidents",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    # Set when its opening did not page the dispatchers on its own (see Burst).
    burst = models.ForeignKey(
        Burst, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )

    class Meta:
        ordering = ["-last_report_at"]
        indexes = [models.Index(fields=["organization", "state"], name="incident_org_state")]

    def __str__(self) -> str:
        return f"incident {self.public_id}"

    def save(self, *args, **kwargs) -> None:
        self.h3_cell = (
            geo.cell_for(self.lat, self.lng)
            if self.lat is not None and self.lng is not None
            else None
        )
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def verified(self) -> bool:
        return self.state in self.VERIFIED_STATES

    @property
    def short_id(self) -> str:
        """The first characters of the public id: what dispatchers say aloud to each other."""
        return str(self.public_id)[:8]


class Report(models.Model):
    """One person's account of what they saw (SALUTE: size, activity, location, uniform,
    time, equipment). Its sender's details are erased on schedule; see retention."""

    class Source(models.TextChoices):
        WEB = "web", _("report page")
        MEMBER = "member", _("member's page")
        PHONE = "phone", _("phone call")
        SIGNAL = "signal", _("Signal message")
        SMS = "sms", _("text message")
        API = "api", _("API")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="reports"
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    source = models.CharField(max_length=10, choices=Source.choices)
    language = models.CharField(max_length=5, default="en")
    site = models.ForeignKey(
        "accounts.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # SALUTE, as the reporter gave it.
    location = EncryptedTextField(blank=True)
    agents = models.PositiveSmallIntegerField(null=True, blank=True)
    vehicles = models.PositiveSmallIntegerField(null=True, blank=True)
    activity = EncryptedTextField(blank=True)
    uniform = EncryptedTextField(blank=True)
    equipment = EncryptedTextField(blank=True)
    seen_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # About the sender; erased on schedule (and at once for a malicious report).
    raw_text = EncryptedTextField(blank=True)
    callback = EncryptedTextField(blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_made",
    )
    sender_erased_at = models.DateTimeField(null=True, blank=True)
    # No hash of the source (an address, a number, a member's id) is kept here: the rate
    # limit holds one only while it limits (services/limits.py).
    # The keyed hash of an inbound message's sender and timestamp: read twice, stored once.
    inbound_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The dispatcher or hotline volunteer who typed in a phone call.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_entered",
    )

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"report {self.public_id}"

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lng is not None


class Response(models.Model):
    """A person's answer to an alert they were sent: a verifier's finding, a responder's
    movements, the legal van's ETA, a check-in from the scene."""

    class Status(models.TextChoices):
        # "answer": a verifier's finding, not a contact's state ("not confirmed" there is
        # "sin confirmar"; here it is "no confirmado").
        CONFIRMED = "confirmed", pgettext_lazy("answer", "confirmed")
        NOT_CONFIRMED = "not_confirmed", pgettext_lazy("answer", "not confirmed")
        UNCERTAIN = "uncertain", pgettext_lazy("answer", "uncertain")
        EN_ROUTE = "en_route", _("en route")
        ON_SCENE = "on_scene", _("on scene")
        CANT = "cant", _("can't come")
        CHECKED_IN = "checked_in", _("checked in, safe")
        LEFT = "left", _("left the scene")

    VERIFICATION = (Status.CONFIRMED, Status.NOT_CONFIRMED, Status.UNCERTAIN)
    MOVEMENT = (Status.EN_ROUTE, Status.ON_SCENE, Status.CANT, Status.CHECKED_IN, Status.LEFT)
    # Answers after which the person is at the scene and owes a check-in.
    AT_SCENE = (Status.ON_SCENE, Status.CHECKED_IN)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey("delivery.Alert", on_delete=models.CASCADE, related_name="responses")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses"
    )
    status = models.CharField(max_length=14, choices=Status.choices)
    eta_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when this on-scene answer went without a check-in for too long and the console
    # raised the alarm, so the alarm is raised once.
    alarm_raised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} response {self.public_id}"


class Photo(models.Model):
    """A photo sent with a report or a verifier's answer: metadata stripped, resized, and
    stored encrypted in the database."""

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="photos"
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = EncryptedBinaryField()
    content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"photo {self.code}"


class TimelineEntry(models.Model):
    """One line of an incident's timeline: who, when, what. Never who reported."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's name when it happened, kept if they are erased; empty for a reporter.
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=60)  # dotted: response.incident.confirmed
    # Ids, counts and states, in the clear (the record and the console read them).
    detail = models.JSONField(default=dict, blank=True)
    # Words someone typed (an alert's message, an answer's note, a place), encrypted.
    words = EncryptedJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def said(self) -> dict:
        """The line's detail with its words: everything the timeline's sentences need."""
        return {**(self.detail or {}), **(self.words or {})}


class IncidentRead(models.Model):
    """When one dispatcher last opened an incident's page: the queue marks the incident
    unread for them while a report arrived after it (or they never opened it)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_reads"
    )
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="incident_read_once")
        ]

    def __str__(self) -> str:
        return f"read {self.incident_id} by {self.person_id}"


class SignalReceiveFailure(models.Model):
    """The organization's Signal messages cannot be read now: its admins see this on every
    console page until a read works again (inbound.py; decision 0006, "Signal receiving").

    One row per organization, made at the first failure and deleted by the first read that
    works. It holds no phone number and nothing a message said.
    """

    class Reason(models.TextChoices):
        UNREACHABLE = "unreachable", _("the Signal gateway cannot be reached")
        REFUSED = "refused", _("the Signal gateway refuses to read this number")

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="signal_receive_failure"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    # What failed, for the admins: "HTTP 400", "ConnectionRefusedError".
    detail = models.CharField(max_length=80, blank=True)
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"signal receive failure ({self.reason})"


@receiver(pre_delete, sender="accounts.Person", dispatch_uid="response.forget_erased_reporter")
def forget_erased_reporter(sender, instance, **kwargs) -> None:
    """Leave nothing that says a person being erased sent their reports: the reports stay
    for the record without their callback, raw text or reporter, and the rate limit's
    bucket keyed by the person's id goes."""
    # in the function: the services import these models
    from .services.limits import reset_rate
    from .services.retention import erase_senders

    erase_senders(Report.objects.filter(reporter=instance))
    reset_rate(str(instance.public_id))
