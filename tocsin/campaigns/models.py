"""Campaigns across organizations, their events, shifts, RSVPs and promotions.

A campaign (a federation's week of action) belongs to one organization and spans the
organizations taking part in it. An event is hosted by one organization, at one of the
sites or at an address, and is seen by the public, by members of the organizations it
concerns, or by its host organization's members only (access.py says who exactly). People
RSVP to the event or to one of its shifts; a full shift puts them on its waitlist.
"""

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.ids import short_code


def check_in_secret() -> str:
    return secrets.token_urlsafe(18)


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Campaign(models.Model):
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Besides the owner: a federation's locals and its allies (NYSNA in the week of action).
    participants = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="campaigns_joined"
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def organization_ids(self) -> set[int]:
        return {self.organization_id, *self.participants.values_list("pk", flat=True)}


class Event(models.Model):
    class Kind(models.TextChoices):
        VIGIL = "vigil", _("vigil")
        RALLY = "rally", _("rally")
        PICKET = "picket", _("picket")
        WALKOUT = "walkout", _("walkout")
        MEETING = "meeting", _("meeting")
        TRAINING = "training", _("training")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public: anyone")
        MEMBERS = "members", _("members of the organizations taking part")
        ORGANIZATION = "organization", _("our organization's members only")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    site = models.ForeignKey(
        "accounts.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Times are stored in UTC and shown in the event's own zone (a vigil in Oakland).
    time_zone = models.CharField(max_length=40, default=default_time_zone)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    visibility = models.CharField(
        _("who sees it"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    address_hidden_until_rsvp = models.BooleanField(
        _("show the address only to people who RSVP"), default=False
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPROVED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The QR on the organizer's page carries it; renewing it retires printed codes.
    check_in_secret = models.CharField(max_length=40, default=check_in_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def place(self) -> str:
        """The site's name or the address as given (what a reminder says)."""
        if self.site is not None:
            return self.site.name
        return self.address

    @property
    def full_address(self) -> str:
        if self.site is not None:
            return ", ".join(part for part in (self.site.name, self.site.address) if part)
        return self.address

    @property
    def is_open(self) -> bool:
        return self.state == self.State.APPROVED and self.ends_at > timezone.now()


class Shift(models.Model):
    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(_("label"), max_length=120, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.label or f"shift {self.code}"


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("going")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="rsvps"
    )
    person = models.ForeignKey("accounts.Person", on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.GOING)
    # When they took their place (going or waitlisted): the waitlist's order.
    answered_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # Checked in at the event without having RSVPed.
    walk_in = models.BooleanField(default=False)
    reminded_24h_at = models.DateTimeField(null=True, blank=True)
    reminded_2h_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_rsvp_per_event")
        ]

    def __str__(self) -> str:
        return f"RSVP {self.pk} ({self.status})"


class Promotion(models.Model):
    """Another organization tells its members about an event (which they may then see)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="promotions")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="promotions"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="one_promotion")
        ]

    def __str__(self) -> str:
        return f"{self.organization} promotes {self.event}"
