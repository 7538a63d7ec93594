"""A member's own changes: their name and language, their contacts (add, remove, reorder),
their browser's push subscriptions, and leaving.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    ContactPoint,
    Person,
)
from tocsin.accounts.services import people
from tocsin.audit.services import record
from tocsin.core.crypto import blind_index

from .codes import schedule_code
from .contacts import JOIN_CHANNELS, add_unconfirmed_contact
from .joins import check_profile


@transaction.atomic
def update_profile(person: Person, display_name: str, language: str) -> None:
    person.display_name, person.language = check_profile(display_name, language)
    person.save(update_fields=["display_name", "language"])
    record(person, "joining.person.profile_changed", person)


@transaction.atomic
def add_member_contact(person: Person, channel: str, address: str) -> ContactPoint:
    """Add a contact to a member's own list and send it a code."""
    if not (address or "").strip():
        raise ValidationError({"address": _("Write the address or number to add.")})
    try:
        contact = add_unconfirmed_contact(
            person, channel, address.strip(), person.contacts.count() + 1
        )
    except ValidationError as error:
        # The member form has one address field for every channel.
        raise ValidationError(
            {
                ("address" if field in JOIN_CHANNELS else field): messages
                for field, messages in error.message_dict.items()
            }
        ) from None
    record(person, "joining.contact.added", person, contact=contact.pk, channel=channel)
    schedule_code(contact)
    return contact


@transaction.atomic
def remove_contact(person: Person, contact: ContactPoint) -> None:
    """Remove one of the member's contacts, keeping at least one confirmed contact."""
    if contact.person_id != person.pk:
        raise ValidationError({"contact": _("This is not one of your contacts.")})
    others_confirmed = person.contacts.exclude(pk=contact.pk).filter(confirmed_at__isnull=False)
    if contact.confirmed and not others_confirmed.exists():
        raise ValidationError(
            {
                "contact": _(
                    "Keep at least one confirmed contact, so we can reach you. "
                    "To stop everything, leave Tocsin instead."
                )
            }
        )
    record(person, "joining.contact.removed", person, contact=contact.pk, channel=contact.channel)
    contact.delete()
    renumber_contacts(person)


@transaction.atomic
def move_contact(person: Person, contact: ContactPoint, step: int) -> None:
    """Move a contact up (step -1) or down (+1) in the member's order of preference."""
    ordered = list(person.contacts.select_for_update().order_by("preference", "id"))
    index = next(i for i, each in enumerate(ordered) if each.pk == contact.pk)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for preference, each in enumerate(ordered, start=1):
            if each.preference != preference:
                ContactPoint.objects.filter(pk=each.pk).update(preference=preference)
        record(person, "joining.contact.reordered", person, contact=contact.pk)


def renumber_contacts(person: Person) -> None:
    for preference, contact in enumerate(person.contacts.order_by("preference", "id"), start=1):
        if contact.preference != preference:
            ContactPoint.objects.filter(pk=contact.pk).update(preference=preference)


@transaction.atomic
def add_push_subscription(person: Person, subscription: str) -> ContactPoint:
    """Store a browser's push subscription as a confirmed contact of the member.

    The browser that made the subscription posts it from the member's own session, which
    proves possession as a code would. Subscribing the same browser again changes nothing.
    Errors are keyed `subscription`.
    """
    try:
        contact = people.add_contact(
            person, ContactPoint.Channel.PUSH, subscription, confirmed=True
        )
    except ValidationError as error:
        messages = error.message_dict.get("address", error.messages)
        if people.find_contact(ContactPoint.Channel.PUSH, subscription) is not None:
            messages = [_("This browser already gets alerts for someone else in Tocsin.")]
        raise ValidationError({"subscription": messages}) from None
    if contact.confirmed_at is None:
        # A push contact is never waiting for a code; confirm one left unconfirmed.
        contact.confirmed_at = timezone.now()
        contact.save(update_fields=["confirmed_at"])
    record(person, "joining.push.subscribed", person, contact=contact.pk, channel=contact.channel)
    return contact


@transaction.atomic
def remove_push_subscription(person: Person, endpoint: str) -> bool:
    """Remove the member's push contact for this endpoint; return whether there was one."""
    index = blind_index((endpoint or "").strip(), ContactPoint.Channel.PUSH)
    contact = person.contacts.filter(channel=ContactPoint.Channel.PUSH, address_index=index).first()
    if contact is None:
        return False
    record(person, "joining.push.unsubscribed", person, contact=contact.pk, channel=contact.channel)
    contact.delete()
    renumber_contacts(person)
    return True


def leave(person: Person) -> None:
    """Erase the member and everything they own, at their own request."""
    people.erase_person(person, actor=person)
