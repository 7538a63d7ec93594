"""Audited reads of people's contact details."""

from django.db import transaction

from tocsin.accounts.models import ContactPoint, Organization, Person
from tocsin.audit.services import record


@transaction.atomic
def reveal_contacts(
    actor: Person, organization: Organization, person: Person
) -> list[ContactPoint]:
    """Return a person's contacts with their addresses, recording who looked and where."""
    contacts = list(person.contacts.all())
    record(
        actor,
        "accounts.contacts.viewed",
        person,
        organization=organization,
        channels=sorted({contact.channel for contact in contacts}),
    )
    return contacts
