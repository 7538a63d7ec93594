"""Alerts and their deliveries: one row per (alert, person, channel), each with its own state."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import EncryptedJSONField, EncryptedTextField
from tocsin.core.ids import short_code

from .kinds import MAX_NAME, KindNames, check_kind, kind_of, label_of, notice_kinds


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
    # The registered kinds' names (Alert.Kind.VERIFIED == "verified"): each app declares
    # its kinds in its alerts.py, and the registry checks them (kinds.py, decision 0026).
    Kind = KindNames()

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="alerts"
    )
    # A kind registered in kinds.py (clean() and create_alert check it): no choices here,
    # so that a new kind needs no migration of this app.
    kind = models.CharField(max_length=MAX_NAME)
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

    def clean(self) -> None:
        super().clean()
        check_kind(self.kind)

    def get_kind_display(self) -> str:
        """Return what the screens call this alert's kind (its registered label)."""
        return label_of(self.kind)

    @property
    def priority(self) -> int:
        """Return the queue priority of the alert's kind: higher runs first."""
        return kind_of(self.kind).priority

    @property
    def what(self) -> str:
        """What the alert says is happening, in the active language (rendering.words_of)."""
        from .rendering import words_of  # in the function: rendering.py imports these models

        return words_of(self.kind, self.context)["what"]


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
    """Return the kinds a new notice channel gets: every kind such a channel may ask for."""
    return [kind.name for kind in notice_kinds()]


class NoticeChannel(models.Model):
    """An organization's own room or topic (Matrix, ntfy, …) that hears of its alerts.

    Not a person's contact: one summary per alert goes there through Apprise, whose URL
    carries the room's token and is therefore stored encrypted.
    """

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
