"""The organization's own list of detention facilities, to choose from on a case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record

from ..models import Facility


@transaction.atomic
def add_facility(actor: Person, organization: Organization, name: str, address: str) -> Facility:
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise ValidationError({"name": _("Write the facility's name.")})
    if len(name) > 200 or len(address) > 300:
        raise ValidationError({"name": _("Keep the name and address shorter.")})
    if Facility.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError({"name": _("This facility is on the list already.")})
    facility = Facility.objects.create(organization=organization, name=name, address=address)
    record(actor, "hotline.facility.added", facility, organization=organization)
    return facility


@transaction.atomic
def remove_facility(actor: Person, facility: Facility) -> None:
    """Take a facility off the list; cases that named it keep the name they had as text."""
    for case in facility.cases.all():
        if not case.facility_text:
            case.facility_text = facility.name
            case.save(update_fields=["facility_text"])
    record(actor, "hotline.facility.removed", facility, organization=facility.organization)
    facility.delete()
