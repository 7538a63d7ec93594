"""Changes to bargaining units. Each one audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record
from tocsin.core.transactions import locking

from ..models import Organization, Person, Site, Unit


def _validate(unit: Unit, sites) -> None:
    errors = {}
    name = unit.name.strip()
    if not name:
        errors["name"] = _("Name is required.")
    elif (
        Unit.objects.filter(organization_id=unit.organization_id, name__iexact=name)
        .exclude(pk=unit.pk)
        .exists()
    ):
        errors["name"] = _("This organization already has a unit with this name.")
    foreign = [
        site for site in sites if not site.organizations.filter(pk=unit.organization_id).exists()
    ]
    if foreign:
        errors["sites"] = _("This organization is not present at %(site)s.") % {
            "site": foreign[0].name
        }
    if errors:
        raise ValidationError(errors)
    unit.name = name


@transaction.atomic
def create_unit(
    actor: Person | None, organization: Organization, name: str, sites: list[Site]
) -> Unit:
    """Create a bargaining unit of the organization at the given sites."""
    unit = Unit(organization=organization, name=name)
    _validate(unit, sites)
    unit.save()
    unit.sites.set(sites)
    record(actor, "accounts.unit.created", unit, organization=organization)
    return unit


@transaction.atomic
def update_unit(actor: Person | None, unit: Unit, name: str, sites: list[Site]) -> Unit:
    """Rename a unit and set its sites."""
    unit = locking(Unit.objects).get(pk=unit.pk)
    unit.name = name
    _validate(unit, sites)
    unit.save(update_fields=["name"])
    unit.sites.set(sites)
    record(
        actor,
        "accounts.unit.updated",
        unit,
        organization=unit.organization,
        sites=sorted(site.code for site in sites),
    )
    return unit


@transaction.atomic
def delete_unit(actor: Person | None, unit: Unit) -> None:
    """Delete a unit; its members stay in the organization without a unit."""
    record(actor, "accounts.unit.deleted", unit, organization=unit.organization, name=unit.name)
    unit.delete()
