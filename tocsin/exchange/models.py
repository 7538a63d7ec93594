"""Webhooks an organization registered, each delivery made to them, and the members kept
out of the exchange.

A webhook's secret signs every body Tocsin posts to it; it is shown once, when the webhook
is added, and kept encrypted at rest. A delivery keeps the payload it carries (event names,
identifiers and counts, never names, contact details or report text: events.py builds them)
and how its attempts went, so the admin's screen shows a receiver that keeps failing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import EncryptedTextField
from tocsin.core.ids import short_code


class Webhook(models.Model):
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(_("name"), max_length=120)
    # A receiver's URL often carries its own token (a path or a query a CRM made up), so it
    # is kept encrypted and shown as its scheme and server only, as notice channels' are.
    url = EncryptedTextField(_("URL"))
    # 32 random bytes as hex, encrypted at rest: what the receiver checks signatures with.
    secret = EncryptedTextField(editable=False)
    # The event names (events.EVENTS) it gets.
    events = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def masked_url(self) -> str:
        """Return the URL's scheme and server, enough to tell receivers apart."""
        try:
            parts = urlsplit(self.url or "")
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            return "…"
        return f"{parts.scheme}://{host}{port}/…" if host else "…"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed: gave up")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # What the body carries besides its envelope (id, event, organization, timestamp).
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While pending: when the next attempt is due.
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # While a job is posting it: no other job may (a retry and the sweeper's at once).
    leased_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.code} of {self.event}"


class Withheld(models.Model):
    """A member kept out of the exchange: the OSDI API never lists them, their contact
    details or their attendances. Asked for by the member, recorded by an admin."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("accounts.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "person"], name="withheld_once")
        ]

    def __str__(self) -> str:
        return f"withheld {self.person_id} in {self.organization_id}"
