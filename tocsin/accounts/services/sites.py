"""Changes to sites and to which organizations are present at them. Each one audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record
from tocsin.core.transactions import atomic_retried_once, locking

from ..models import Membership, Organization, Person, Site

SITE_FIELDS = ("kind", "name", "address", "lat", "lng")


def _validate(site: Site) -> None:
    errors: dict[str, list[str]] = {}
    if site.lat is not None and not Decimal(-90) <= Decimal(site.lat) <= Decimal(90):
        errors["lat"] = [_("Latitude must be between -90 and 90.")]
    if site.lng is not None and not Decimal(-180) <= Decimal(site.lng) <= Decimal(180):
        errors["lng"] = [_("Longitude must be between -180 and 180.")]
    if errors:
        raise ValidationError(errors)
    site.full_clean(exclude=["h3_cell", "organizations"])


@transaction.atomic
def create_site(actor: Person | None, organization: Organization, **fields) -> Site:
    """Create a site with the organization present at it."""
    site = Site(**{name: fields[name] for name in SITE_FIELDS if name in fields})
    _validate(site)
    site.save()
    site.organizations.add(organization)
    record(actor, "accounts.site.created", site, organization=organization)
    return site


@atomic_retried_once
def update_site(actor: Person | None, organization: Organization, site: Site, **fields) -> Site:
    """Change a site's kind, name, address or location.

    Reports filed at the site meanwhile are not held up, nor hold this up: the lock lets rows
    that refer to the site be written (see core/transactions.py).
    """
    site = locking(Site.objects).get(pk=site.pk)
    changed = [
        name for name in SITE_FIELDS if name in fields and getattr(site, name) != fields[name]
    ]
    for name in changed:
        setattr(site, name, fields[name])
    if changed:
        _validate(site)
        site.save()
        record(actor, "accounts.site.updated", site, organization=organization, fields=changed)
    return site


@transaction.atomic
def link_site(actor: Person | None, organization: Organization, site: Site) -> None:
    """Mark the organization as present at an existing site."""
    if site.organizations.filter(pk=organization.pk).exists():
        return
    site.organizations.add(organization)
    record(actor, "accounts.site.linked", site, organization=organization)


@transaction.atomic
def unlink_site(actor: Person | None, organization: Organization, site: Site) -> None:
    """Mark the organization as no longer present at a site.

    The organization's units stop listing the site and its members stop being placed there;
    the site itself stays for the other organizations present.
    """
    if not site.organizations.filter(pk=organization.pk).exists():
        return
    for unit in organization.units.filter(sites=site):
        unit.sites.remove(site)
    placed = Membership.objects.filter(organization=organization, site=site).update(site=None)
    site.organizations.remove(organization)
    record(actor, "accounts.site.unlinked", site, organization=organization, members=placed)
