"""Who belongs where: organizations, sites, units, people, their contacts, memberships, follows.

There is never a field for immigration status or citizenship, and there must never be one.
"""

import json
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core import geo, languages
from tocsin.core.crypto import EncryptedTextField
from tocsin.core.ids import short_code

from .roles import NEEDS_SECOND_FACTOR, PRIVILEGED, Role

# A callable, read from settings.LANGUAGES: a new language needs no migration.
LANGUAGE_CHOICES = languages.choices


class Organization(models.Model):
    class Kind(models.TextChoices):
        FEDERATION = "federation", _("federation")
        UNION = "union", _("union")
        LOCAL = "local", _("local")
        COMMUNITY = "community", _("community group")
        COALITION = "coalition", _("coalition")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    # For a coalition: the organizations it brings together.
    member_organizations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="coalitions",
        verbose_name=_("member organizations"),
    )
    default_language = models.CharField(
        _("default language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    # How long reporter details and raw inbound messages are kept after an incident ends.
    retention_days = models.PositiveIntegerField(
        _("retention (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    # How long a closed hotline case keeps its sensitive details (name, place, notes).
    case_retention_days = models.PositiveIntegerField(
        _("case retention (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    # The number members text or message on Signal to report (E.164); blank for none.
    report_number = models.CharField(_("reporting number"), max_length=20, blank=True)
    # The SMS gateway's auth token for that number: texts posted to the webhook must be signed
    # with it. Required with a reporting number; encrypted, never shown again once saved.
    sms_inbound_token = EncryptedTextField(_("gateway token for inbound SMS"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_number"],
                condition=~models.Q(report_number=""),
                name="one_organization_per_report_number",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("hospital")
        CLINIC = "clinic", _("clinic")
        SCHOOL = "school", _("school")
        TRANSIT = "transit", _("transit")
        WORKPLACE = "workplace", _("workplace")
        OTHER = "other", _("other")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    lng = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    h3_cell = models.BigIntegerField(db_index=True, editable=False)
    organizations = models.ManyToManyField(
        Organization, related_name="sites", verbose_name=_("organizations present")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.h3_cell = geo.cell_for(self.lat, self.lng)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.lat is not None and self.lng is not None:
            errors = geo.validate_latlng(self.lat, self.lng)
            if errors:
                raise ValidationError(dict(errors))


class SharingCircle(models.Model):
    """A federation's or coalition's one offer to all its member organizations at once.

    Each member answers on its own screen; its answer lives in the agreement between the
    convener and that member (`agreements`, both ways). Each member that accepts is then
    joined, by an agreement of its own in the circle, to every member that accepted before
    it, so sharing is in force between every two members that accepted and with the convener
    (decision 0028). The convener ending the circle ends every agreement in it.
    """

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ENDED = "ended", _("ended")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    convener = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sharing_circles"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.convener}'s sharing circle"


class SharingAgreement(models.Model):
    """One organization shares with a partner, or both with each other: verified alerts (to
    the other's followers of the area), the dispatch of incidents (to the other's
    dispatchers), events and campaigns, hotline cases handed over, clauses and playbooks.

    Explicit and revocable: `organization` offers it, the partner accepts or declines, and
    either side ends it at once. It shares from `starts_at` until `ends_at` (if planned)
    or until someone ends it. With a point and a radius, or with named sites, alerts are
    shared only for incidents inside that area or at those sites. Read it only through
    tocsin.accounts.sharing, which knows when one is in force and in which direction.
    """

    class State(models.TextChoices):
        OFFERED = "offered", _("offered")
        IN_FORCE = "in_force", _("in force")
        DECLINED = "declined", _("declined")
        ENDED = "ended", _("ended")

    class Direction(models.TextChoices):
        ONE_WAY = "one_way", _("one way")
        BOTH_WAYS = "both_ways", _("both ways")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sharing_given"
    )
    partner = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sharing_received"
    )
    # Made directly (the demo, a migration, a test) an agreement is in force; the screens
    # make offers.
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FORCE)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.ONE_WAY
    )
    alerts = models.BooleanField(_("share verified alerts"), default=True)
    dispatch = models.BooleanField(_("share dispatch of incidents"), default=False)
    events = models.BooleanField(_("share events and campaigns"), default=False)
    hotline = models.BooleanField(_("hand over hotline cases"), default=False)
    clauses = models.BooleanField(_("share clauses and playbooks"), default=False)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="sharing_agreements")
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("planned end"), null=True, blank=True)
    circle = models.ForeignKey(
        SharingCircle,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    offered_by = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organization=models.F("partner")), name="agreement_not_self"
            ),
            models.UniqueConstraint(
                fields=["circle", "organization", "partner"],
                condition=models.Q(circle__isnull=False),
                name="one_agreement_per_pair_in_a_circle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} shares with {self.partner}"

    @property
    def both_ways(self) -> bool:
        return self.direction == self.Direction.BOTH_WAYS

    def other_side(self, organization: Organization | int) -> int:
        """Return the id of the side of the agreement that is not `organization`."""
        pk = organization if isinstance(organization, int) else organization.pk
        return self.partner_id if self.organization_id == pk else self.organization_id

    def covers(self, lat, lng, site_id: int | None = None) -> bool:
        """Whether an incident at (lat, lng), at that site if any, falls inside the agreement's
        area or at one of its sites, if it names either."""
        site_ids = {site.pk for site in self.sites.all()}
        if site_ids and site_id in site_ids:
            return True
        if self.lat is None or self.lng is None or not self.radius_m:
            return not site_ids
        if lat is None or lng is None:
            return False
        return geo.distance_m(float(self.lat), float(self.lng), float(lat), float(lng)) <= (
            self.radius_m
        )


class Unit(models.Model):
    """A bargaining unit: the people one contract covers, at one or more sites."""

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    sites = models.ManyToManyField(Site, blank=True, related_name="units", verbose_name=_("sites"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, **fields):
        from .services.people import create_person  # in the function: services import the models

        return create_person(email=email, password=password, **fields)

    def create_superuser(self, email=None, password=None, **fields):
        fields["is_superuser"] = True
        return self.create_user(email=email, password=password, **fields)


class Person(AbstractBaseUser):
    """Someone Tocsin knows: a member, a responder, a staff member. Also the sign-in user.

    The sign-in email is not stored here in plain text: `login_index` is its blind index,
    and the address itself is an encrypted email ContactPoint.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("name or alias"), max_length=120)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    login_index = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(default=True)
    # Operators of the whole server (createsuperuser); not an organization role.
    is_superuser = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    USERNAME_FIELD = "login_index"
    objects = PersonManager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def all_roles(self) -> Role:
        value = Role(0)
        for membership in self.memberships.filter(active=True):
            value |= Role(membership.roles)
        return value

    @property
    def is_privileged(self) -> bool:
        return self.is_superuser or bool(self.all_roles() & PRIVILEGED)

    @property
    def needs_second_factor(self) -> bool:
        return self.is_superuser or bool(self.all_roles() & NEEDS_SECOND_FACTOR)


class ContactPoint(models.Model):
    class Channel(models.TextChoices):
        SIGNAL = "signal", _("Signal")
        SMS = "sms", _("text message (SMS)")
        EMAIL = "email", _("email")
        PUSH = "push", _("web push")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = EncryptedTextField(_("address"))
    address_index = models.CharField(max_length=64, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    preference = models.PositiveSmallIntegerField(_("order of preference"), default=1)
    # A one-time confirmation code, stored hashed, while the contact is unconfirmed.
    code_hash = models.CharField(max_length=128, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # When the number texted STOP (or the SMS gateway answered 21610, "unsubscribed
    # recipient"): no text goes to it, and alerts take the person's other channels, until
    # it texts START again.
    opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["preference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_index"], name="contact_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    def masked(self) -> str:
        """Return the address with most characters hidden, for screens that only need a hint."""
        address = self.address or ""
        if self.channel == self.Channel.EMAIL and "@" in address:
            local, _at, domain = address.partition("@")
            return f"{local[:1]}…@{domain}"
        if self.channel == self.Channel.PUSH:
            return "…"
        return f"…{address[-4:]}"

    def push_service(self) -> str:
        """Return the host of a push subscription's service (fcm.googleapis.com), or ""."""
        if self.channel != self.Channel.PUSH:
            return ""
        try:
            return urlsplit(json.loads(self.address)["endpoint"]).hostname or ""
        except (ValueError, KeyError, TypeError, AttributeError):
            return ""

    def revealed(self) -> str:
        """Return the address as a screen or the API may show it in full.

        A push subscription is never shown: its endpoint and keys let whoever holds them push
        to the member's browser. The host of its push service stands in for it.
        """
        if self.channel == self.Channel.PUSH:
            return self.push_service() or "…"
        return self.address or ""


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.PositiveIntegerField(default=int(Role.MEMBER))
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="one_membership")
        ]
        # An alert's role holders: a range of an organization's members, not all of them
        # (decision 0025).
        indexes = [models.Index(fields=["organization", "roles"], name="membership_roles")]

    def __str__(self) -> str:
        return f"{self.person} in {self.organization}"

    def has(self, role: Role) -> bool:
        return bool(Role(self.roles) & role)

    def role_slugs(self) -> list[str]:
        return [role.slug for role in Role if self.roles & role]

    def role_labels(self) -> list[str]:
        """Return the names of the roles held, in the active language ("legal observer")."""
        return [role.label for role in Role if self.roles & role]


class AlertKinds(models.IntegerChoices):
    """What a subscription wants to hear about (bits)."""

    RAIDS = 1, _("verified enforcement alerts")
    ALL_CLEAR = 2, _("all-clear and corrections")
    EVENTS = 4, _("vigils, rallies and other actions")
    NOTICES = 8, _("notices from the union")


ALL_ALERT_KINDS = sum(AlertKinds.values)


class Subscription(models.Model):
    """A person follows a site, or an area (a point and a radius stored as h3 cells)."""

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="subscriptions")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="subscriptions"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    kinds = models.PositiveSmallIntegerField(default=ALL_ALERT_KINDS)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(site__isnull=False, lat__isnull=True, radius_m__isnull=True)
                    | models.Q(
                        site__isnull=True,
                        lat__isnull=False,
                        lng__isnull=False,
                        radius_m__isnull=False,
                    )
                ),
                name="subscription_site_or_area",
            )
        ]

    def __str__(self) -> str:
        return f"subscription {self.code}"


class SubscriptionCell(models.Model):
    """One compacted h3 cell of an area subscription; see tocsin.core.geo."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="cells")
    cell = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "cell"], name="one_cell_per_area")
        ]

    def __str__(self) -> str:
        return f"cell {self.cell:x}"
