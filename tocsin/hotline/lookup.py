"""Find the member a hotline call is about, from what the caller knows: their email, their
phone number, or their name as the organization has it. Only the hotline's screens use
this; no public page looks anyone up by name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.accounts.services.people import find_contact
from tocsin.core import contacts


def find_member(organization: Organization, text: str) -> Person:
    """Return the organization's member that `text` names, or raise ValidationError."""
    text = (text or "").strip()
    members = Person.objects.filter(
        memberships__organization=organization, memberships__active=True, is_active=True
    )
    if "@" in text:
        found = [find_contact(contacts.EMAIL, text)]
    elif any(ch.isdigit() for ch in text):
        found = [find_contact(contacts.SMS, text), find_contact(contacts.SIGNAL, text)]
    else:
        named = list(members.filter(display_name__iexact=text)[:2])
        if len(named) > 1:
            raise ValidationError(
                {"member": _("More than one member has that name: give their phone or email.")}
            )
        if named:
            return named[0]
        found = []
    for contact in found:
        if contact is not None and members.filter(pk=contact.person_id).exists():
            return contact.person
    raise ValidationError({"member": _("No member of this organization matches that.")})
