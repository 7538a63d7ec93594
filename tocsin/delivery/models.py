"""Alerts and their deliveries: one row per (alert, person, channel), each with its own state."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import EncryptedJSONField, EncryptedTextField
from tocsin.core.ids import short_code


class AlertQuerySet(models.QuerySet["Alert"]):
    def matching_context(self, **items) -> "AlertQuerySet":
        """Return the alerts among these whose context holds all of `items` (a pledge's
        code, an event). The context is encrypted, so the database cannot look inside it:
        each alert's context is decrypted and compared here; narrow the set first."""
        wanted = [
            alert.pk
            for alert in self.only("pk", "context")
            if all(alert.context.get(key) == value for key, value in items.items())
        ]
        return self.filter(pk__in=wanted)


class Alert(models.Model):
    class Kind(models.TextChoices):
        VERIFIED = "verified", _("verified alert")
        NEW_INCIDENT = "new_incident", _("new incident, to dispatchers")
        VERIFY_REQUEST = "verify_request", _("verify request")
        DISPATCH = "dispatch", _("dispatch")
        RETRACTION = "retraction", _("retraction")
        ALL_CLEAR = "all_clear", _("all-clear")
        NOTICE = "notice", _("notice")
        REMINDER = "reminder", _("reminder")
        HOTLINE = "hotline", _("hotline notice")
        PLEDGE = "pledge", _("pledge")
        BALLOT = "ballot", _("ballot")
        EVENT = "event", _("event")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The incident this alert is about (verify requests, verified alerts, dispatches,
    # retractions and all-clears); empty for notices and reminders.
    incident = models.ForeignKey(
        "response.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    # What the message says, as template context (never who reported anything):
    # {"what": ..., "where": ..., "since": ..., "ask": ...} in the sender's words; a
    # verified alert says what was seen as codes instead, and the sender's words per
    # language: {"seen": [...], "where", "since", "until", "ask", "notes": {"es": ...}}.
    # Encrypted at rest, as the incident's place is: a seized database does not say what
    # was reported where.
    context = EncryptedJSONField(default=dict, blank=True)
    # Who it goes to, as given: {"sites": [codes], "points": [[lat, lng, radius_m]],
    # "roles": bits, "organization_ids": [...], "shared_organization_ids": [...] (their
    # followers only), "whole_organizations": bool, "person_ids": [...],
    # "people_of_alerts": [alert ids]}; resolved into deliveries when sent (audience.py).
    audience = models.JSONField(default=dict, blank=True)
    audience_size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the fan-out recorded every delivery and enqueued their jobs: the outbox. An alert
    # sending without it is fanned out again by the sweeper (fanout.resume_stalled), so an
    # alert whose job the queue refused or lost still goes out.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def priority(self) -> int:
        return PRIORITY[self.kind]

    @property
    def what(self) -> str:
        """What the alert says is happening, in the active language (rendering.what_of)."""
        from .rendering import what_of

        return what_of(self.context)


# Huey runs higher numbers first: a verified alert goes before a reminder.
PRIORITY: dict[str, int] = {
    Alert.Kind.VERIFIED: 100,
    Alert.Kind.RETRACTION: 100,
    Alert.Kind.ALL_CLEAR: 90,
    Alert.Kind.DISPATCH: 90,
    Alert.Kind.NEW_INCIDENT: 90,
    Alert.Kind.VERIFY_REQUEST: 90,
    Alert.Kind.HOTLINE: 100,
    Alert.Kind.NOTICE: 50,
    Alert.Kind.REMINDER: 10,
    Alert.Kind.PLEDGE: 60,
    Alert.Kind.BALLOT: 60,
    Alert.Kind.EVENT: 40,
}


# Kinds whose every message asks its recipient to act from their own page (sign the
# pledge, cast the ballot, answer the event, answer the verify request or the dispatch):
# each recipient gets their personal link on every channel, Signal included, even though
# that costs Signal one request per recipient instead of one per batch (decision 0021).
# A verified alert gives one only to the people who answer it (fanout.people_who_answer).
PERSONAL_LINK_KINDS: frozenset[str] = frozenset(
    {
        Alert.Kind.PLEDGE,
        Alert.Kind.BALLOT,
        Alert.Kind.EVENT,
        Alert.Kind.VERIFY_REQUEST,
        Alert.Kind.DISPATCH,
    }
)


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10)
    contact = models.ForeignKey(
        "accounts.ContactPoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a request first carried it: its chunk gives up some time after (retries.py).
    first_tried_at = models.DateTimeField(null=True, blank=True)
    # After this moment an unsent delivery hands over to the person's next channel.
    fallback_at = models.DateTimeField(null=True, blank=True)
    # Who answers for the row while it is queued, and until when (leases.py): a send job's
    # lease (claim set), renewed as the job works, or a hold for a job waiting in the queue
    # (claim empty). A row nobody answers for is given a new job by the sweeper.
    claim = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The gateway's own id for the message (Twilio's MessageSid), which its delivery status
    # callbacks name; and when one of them said the message reached the phone.
    provider_id = models.CharField(max_length=64, blank=True, db_default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "person", "channel"], name="one_delivery_per_channel"
            )
        ]
        # No index leads with status alone: without statistics (SQLite has none until
        # ANALYZE; PostgreSQL's come late after a fan-out's bulk insert) the planner would
        # take "status = 'queued'" for selective and read every queued row of every chunk
        # to mark one request sent. The sweeps' indexes hold only the rows they look for
        # (decision 0004, "What each statement reads").
        indexes = [
            models.Index(fields=["alert", "status"], name="delivery_alert_status"),
            models.Index(
                fields=["fallback_at"],
                name="delivery_tried_fallback",
                condition=models.Q(status="queued", attempts__gt=0),
            ),
            models.Index(
                fields=["claim"],
                name="delivery_leased",
                # Leased rows are queued: the lease's own look-ups (claim = ? AND status =
                # 'queued') imply this condition, so no planner ANDs in the queued rows' index.
                condition=models.Q(claim__isnull=False, status="queued"),
            ),
            models.Index(
                fields=["claimed_until"],
                name="delivery_queued_until",
                condition=models.Q(status="queued"),
            ),
            models.Index(
                fields=["provider_id"],
                name="delivery_provider_id",
                condition=~models.Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.status})"


def default_notice_kinds() -> list[str]:
    return [Alert.Kind.VERIFIED, Alert.Kind.ALL_CLEAR, Alert.Kind.RETRACTION, Alert.Kind.NOTICE]


class NoticeChannel(models.Model):
    """An organization's own room or topic (Matrix, ntfy, …) that hears of its alerts.

    Not a person's contact: one summary per alert goes there through Apprise, whose URL
    carries the room's token and is therefore stored encrypted.
    """

    # The kinds of alert a channel may ask for; the others are internal steps of a report.
    KINDS = [Alert.Kind.VERIFIED, Alert.Kind.ALL_CLEAR, Alert.Kind.RETRACTION, Alert.Kind.NOTICE]

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="notice_channels"
    )
    name = models.CharField(_("name"), max_length=120)
    url = EncryptedTextField(_("Apprise URL"))
    kinds = models.JSONField(_("kinds of alert"), default=default_notice_kinds)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def masked_url(self) -> str:
        """Return only the URL's scheme, enough to tell a Matrix room from an ntfy topic."""
        scheme, separator, _rest = (self.url or "").partition("://")
        return f"{scheme}://…" if separator else "…"


class NoticePost(models.Model):
    """One alert's summary to one notice channel, so that a retry never posts it twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notice_posts")
    channel = models.ForeignKey(NoticeChannel, on_delete=models.CASCADE, related_name="posts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="one_notice_per_channel")
        ]

    def __str__(self) -> str:
        return f"notice of alert {self.alert_id} to channel {self.channel_id} ({self.status})"


class SignalChallenge(models.Model):
    """A captcha Signal asks for before the sending number may send more (a 429 of
    signal-cli-rest-api with challenge tokens). It does not clear by itself: the admins see
    it on their pages while sends keep meeting it (delivery.channels.signal.challenges)."""

    token = models.CharField(max_length=200, unique=True)
    account = models.CharField(max_length=32)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"Signal challenge since {self.first_seen_at:%Y-%m-%d %H:%M}"
