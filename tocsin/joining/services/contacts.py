"""Contacts given when joining or later, and claims.

Nobody learns from a public form whether an address is in Tocsin (decision 0014). A join,
or a member adding a contact, that types an address someone else already has gets a
*claim*: an unconfirmed contact like any other, except that its blind index is random, so
it matches no look-up and owns nothing. The joiner sees the same pages, with a code form
for it; no code ever reaches them, since the job that would send one tells the address's
owner instead (tasks.py).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    ContactPoint,
    Person,
)
from tocsin.accounts.services import people

# Channels a person can give when joining or later; web push is added by the browser itself.
JOIN_CHANNELS = (ContactPoint.Channel.EMAIL, ContactPoint.Channel.SMS, ContactPoint.Channel.SIGNAL)


def add_unconfirmed_contact(person: Person, channel: str, address: str, preference: int):
    """Add a contact waiting for its code; errors are keyed by the channel's form field.

    An address someone else already has becomes a claim (see the module's docstring), so the
    answer is the same whether or not it is in Tocsin. Both paths do the same database work.
    """
    if channel not in JOIN_CHANNELS:
        raise ValidationError({"channel": _("Choose email, text message or Signal.")})
    try:
        normalized, index = people.contact_index_for(channel, address)
    except ValidationError as error:
        raise ValidationError({channel: error.messages}) from None
    existing = ContactPoint.objects.filter(channel=channel, address_index=index).first()
    if existing is not None and existing.person_id == person.pk:
        raise ValidationError({channel: _("This is already one of your contacts.")})
    if existing is None:
        try:
            with transaction.atomic():
                return ContactPoint.objects.create(
                    person=person,
                    channel=channel,
                    address=normalized,
                    address_index=index,
                    preference=preference,
                )
        except IntegrityError:
            pass  # Someone else took the address this instant: it becomes a claim.
    with transaction.atomic():
        return ContactPoint.objects.create(
            person=person,
            channel=channel,
            address=normalized,
            address_index=secrets.token_hex(32),
            preference=preference,
        )


def is_claim(contact: ContactPoint) -> bool:
    """Whether the contact is a claim on an address another person has (its index is random)."""
    try:
        _normalized, index = people.contact_index_for(contact.channel, contact.address)
    except ValidationError:
        return True
    return index != contact.address_index


def owner_of(claim: ContactPoint) -> ContactPoint | None:
    """Return the contact that holds the claimed address, if it is still held."""
    owner = people.find_contact(claim.channel, claim.address)
    return owner if owner is not None and owner.pk != claim.pk else None


def promote_claim(claim: ContactPoint) -> bool:
    """Turn a claim whose address nobody holds any more into an ordinary contact."""
    _normalized, index = people.contact_index_for(claim.channel, claim.address)
    try:
        with transaction.atomic():
            ContactPoint.objects.filter(pk=claim.pk).update(address_index=index)
    except IntegrityError:
        return False
    claim.address_index = index
    return True


def issue_unusable_code(claim: ContactPoint) -> None:
    """Give a claim a code nobody will ever see, so that its attempts and expiry behave
    exactly as a real contact's do: every code typed for it is wrong."""
    claim.code_hash = make_password(secrets.token_urlsafe(32))
    claim.code_expires_at = timezone.now() + timedelta(
        minutes=settings.TOCSIN_CONFIRMATION_CODE_MINUTES
    )
    claim.code_attempts = 0
    claim.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
