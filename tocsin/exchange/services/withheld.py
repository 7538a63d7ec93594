"""Keep a member out of the exchange, at their request, and let them back in."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import ContactPoint, Organization, Person
from tocsin.accounts.services.people import find_contact
from tocsin.audit.services import record

from ..models import Withheld


def member_by_address(organization: Organization, address: str) -> Person:
    """Return the active member of the organization holding this email or phone number;
    raise ValidationError on `address` otherwise (the same words whoever else holds it)."""
    address = (address or "").strip()
    channels = (
        [ContactPoint.Channel.EMAIL]
        if "@" in address
        else [ContactPoint.Channel.SMS, ContactPoint.Channel.SIGNAL]
    )
    for channel in channels:
        contact = find_contact(channel, address) if address else None
        if (
            contact is not None
            and organization.memberships.filter(person=contact.person, active=True).exists()
        ):
            return contact.person
    raise ValidationError(
        {"address": _("No member of %(name)s has this address.") % {"name": organization.name}}
    )


@transaction.atomic
def withhold(actor: Person, organization: Organization, address: str) -> Withheld:
    person = member_by_address(organization, address)
    found, created = Withheld.objects.get_or_create(organization=organization, person=person)
    if created:
        record(actor, "exchange.member.withheld", person, organization=organization)
    return found


@transaction.atomic
def release(actor: Person, withheld: Withheld) -> None:
    record(actor, "exchange.member.released", withheld.person, organization=withheld.organization)
    withheld.delete()
