"""Changes to what a person follows: a site, or an area (a point and a radius as h3 cells)."""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record
from tocsin.core import geo

from ..models import ALL_ALERT_KINDS, Organization, Person, Site, Subscription, SubscriptionCell

SIX_PLACES = Decimal("0.000001")


def check_kinds(kinds: int) -> int:
    """Return the alert-kind bits, refusing none or unknown bits (error on `kinds`)."""
    if not isinstance(kinds, int) or kinds <= 0 or kinds & ~ALL_ALERT_KINDS:
        raise ValidationError({"kinds": _("Choose at least one kind of alert.")})
    return kinds


def check_area(lat, lng, radius_m) -> tuple[Decimal, Decimal, int]:
    """Return (lat, lng, radius) ready to store, or raise ValidationError naming each field."""
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for field, value, limit, message in (
        ("lat", lat, 90, _("Latitude must be a number between -90 and 90.")),
        ("lng", lng, 180, _("Longitude must be a number between -180 and 180.")),
    ):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            errors[field] = message
            continue
        if not number.is_finite() or not -limit <= number <= limit:
            errors[field] = message
            continue
        values[field] = number.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)
    maximum = settings.TOCSIN_MAX_AREA_RADIUS_M
    try:
        radius = int(radius_m)
    except (TypeError, ValueError):
        radius = 0
    if not 1 <= radius <= maximum:
        errors["radius_m"] = _("The radius must be between 1 and %(maximum)s meters.") % {
            "maximum": maximum
        }
    if errors:
        raise ValidationError(errors)
    return values["lat"], values["lng"], radius


@transaction.atomic
def follow_site(
    person: Person,
    organization: Organization,
    site: Site,
    kinds: int = ALL_ALERT_KINDS,
    actor: Person | None = None,
) -> Subscription:
    """Follow a site for some kinds of alert; following it again only updates the kinds."""
    kinds = check_kinds(kinds)
    if not site.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"site": _("This organization is not present at that site.")})
    subscription = Subscription.objects.filter(person=person, site=site).first()
    if subscription is not None:
        if subscription.kinds != kinds:
            subscription.kinds = kinds
            subscription.save(update_fields=["kinds"])
        return subscription
    subscription = Subscription.objects.create(
        person=person, organization=organization, site=site, kinds=kinds
    )
    record(actor, "accounts.subscription.site_followed", subscription, site=site.code)
    return subscription


@transaction.atomic
def follow_area(
    person: Person,
    organization: Organization,
    lat,
    lng,
    radius_m,
    kinds: int = ALL_ALERT_KINDS,
    actor: Person | None = None,
) -> Subscription:
    """Follow the area within `radius_m` of a point, stored as compacted h3 cells."""
    lat, lng, radius = check_area(lat, lng, radius_m)
    kinds = check_kinds(kinds)
    subscription = Subscription.objects.create(
        person=person, organization=organization, lat=lat, lng=lng, radius_m=radius, kinds=kinds
    )
    SubscriptionCell.objects.bulk_create(
        SubscriptionCell(subscription=subscription, cell=cell)
        for cell in geo.cells_within(lat, lng, radius)
    )
    # The point itself is where someone lives or works: the audit keeps only the radius.
    record(actor, "accounts.subscription.area_followed", subscription, radius_m=radius)
    return subscription


@transaction.atomic
def change_kinds(subscription: Subscription, kinds: int, actor: Person | None = None) -> None:
    subscription.kinds = check_kinds(kinds)
    subscription.save(update_fields=["kinds"])
    record(actor, "accounts.subscription.kinds_changed", subscription, kinds=subscription.kinds)


@transaction.atomic
def unfollow(subscription: Subscription, actor: Person | None = None) -> None:
    record(actor, "accounts.subscription.removed", subscription)
    subscription.delete()
