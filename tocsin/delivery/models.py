"""Alerts and their deliveries: one row per (alert, person, channel), each with its own state."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    class Kind(models.TextChoices):
        VERIFIED = "verified", _("verified alert")
        VERIFY_REQUEST = "verify_request", _("verify request")
        DISPATCH = "dispatch", _("dispatch")
        RETRACTION = "retraction", _("retraction")
        ALL_CLEAR = "all_clear", _("all-clear")
        NOTICE = "notice", _("notice")
        REMINDER = "reminder", _("reminder")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the message says, as template context (never who reported anything):
    # {"what": ..., "where": ..., "since": ..., "ask": ...} in the sender's words.
    context = models.JSONField(default=dict, blank=True)
    # Who it goes to, as given: {"sites": [codes], "points": [[lat, lng, radius_m]],
    # "roles": bits, "organizations": [slugs]}; resolved into deliveries when sent.
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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def priority(self) -> int:
        return PRIORITY[self.kind]


# Huey runs higher numbers first: a verified alert goes before a reminder.
PRIORITY: dict[str, int] = {
    Alert.Kind.VERIFIED: 100,
    Alert.Kind.RETRACTION: 100,
    Alert.Kind.ALL_CLEAR: 90,
    Alert.Kind.DISPATCH: 90,
    Alert.Kind.VERIFY_REQUEST: 90,
    Alert.Kind.NOTICE: 50,
    Alert.Kind.REMINDER: 10,
}


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
    # After this moment an unsent delivery hands over to the person's next channel.
    fallback_at = models.DateTimeField(null=True, blank=True)
    # A send job's lease on the row: no other job sends it until the lease runs out, so a
    # duplicated job never sends twice and a killed worker's rows are taken up again.
    claim = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "person", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["alert", "status"], name="delivery_alert_status"),
            models.Index(fields=["status", "fallback_at"], name="delivery_fallback_due"),
            models.Index(fields=["claim"], name="delivery_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.status})"
