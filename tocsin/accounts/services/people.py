"""Changes to people and their contacts. Each function does one change and audits it."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.audit.services import record
from tocsin.core import contacts as contact_rules
from tocsin.core.crypto import blind_index

from ..models import ContactPoint, Person

MAX_CODE_ATTEMPTS = 5


def login_index_for(email: str) -> str:
    return blind_index(contact_rules.normalize_email(email), "login")


def contact_index_for(channel: str, raw_address: str) -> tuple[str, str]:
    """Return (normalized address, blind index) or raise ValidationError naming the reason."""
    normalized = contact_rules.normalize(channel, raw_address)
    return normalized, blind_index(contact_rules.index_key(channel, normalized), channel)


def find_contact(channel: str, raw_address: str) -> ContactPoint | None:
    try:
        _normalized, index = contact_index_for(channel, raw_address)
    except ValidationError:
        return None
    return (
        ContactPoint.objects.select_related("person")
        .filter(channel=channel, address_index=index)
        .first()
    )


def find_person_by_login(email: str) -> Person | None:
    try:
        index = login_index_for(email)
    except ValidationError:
        return None
    return Person.objects.filter(login_index=index).first()


@transaction.atomic
def create_person(
    display_name: str = "",
    language: str = "en",
    email: str | None = None,
    password: str | None = None,
    is_superuser: bool = False,
    actor: Person | None = None,
) -> Person:
    """Create a person; with an email, that address is their sign-in and a confirmed contact."""
    person = Person(display_name=display_name.strip(), language=language, is_superuser=is_superuser)
    if email:
        person.login_index = login_index_for(email)
        if Person.objects.filter(login_index=person.login_index).exists():
            raise ValidationError({"email": _("Someone already signs in with this email.")})
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password", "login_index"])
    person.save()
    if email:
        add_contact(person, ContactPoint.Channel.EMAIL, email, confirmed=True)
    record(actor, "accounts.person.created", person)
    return person


@transaction.atomic
def add_contact(
    person: Person,
    channel: str,
    raw_address: str,
    confirmed: bool = False,
    preference: int | None = None,
) -> ContactPoint:
    """Add a contact to a person, refusing an address another person already holds."""
    try:
        normalized, index = contact_index_for(channel, raw_address)
    except ValidationError as error:
        raise ValidationError({"address": error.messages}) from None
    existing = ContactPoint.objects.filter(channel=channel, address_index=index).first()
    if existing is not None:
        if existing.person_id == person.pk:
            return existing
        raise ValidationError(
            {"address": _("This contact already belongs to someone else in Tocsin.")}
        )
    if preference is None:
        preference = (person.contacts.count() if person.pk else 0) + 1
    return ContactPoint.objects.create(
        person=person,
        channel=channel,
        address=normalized,
        address_index=index,
        confirmed_at=timezone.now() if confirmed else None,
        preference=preference,
    )


def issue_confirmation_code(contact: ContactPoint) -> str:
    """Store a new six-digit code's hash on the contact and return the code to send."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    contact.code_hash = make_password(code)
    contact.code_expires_at = timezone.now() + timedelta(
        minutes=settings.TOCSIN_CONFIRMATION_CODE_MINUTES
    )
    contact.code_attempts = 0
    contact.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
    return code


def check_confirmation_code(contact: ContactPoint, code: str) -> bool:
    """Confirm the contact when the code is right, unexpired and within the attempt limit."""
    with transaction.atomic():
        contact = ContactPoint.objects.select_for_update().get(pk=contact.pk)
        if not contact.code_hash or contact.code_expires_at is None:
            return False
        if contact.code_attempts >= MAX_CODE_ATTEMPTS or contact.code_expires_at < timezone.now():
            return False
        contact.code_attempts += 1
        if check_password(code.strip(), contact.code_hash):
            contact.confirmed_at = timezone.now()
            contact.code_hash = ""
            contact.code_expires_at = None
            contact.save(
                update_fields=["confirmed_at", "code_hash", "code_expires_at", "code_attempts"]
            )
            record(None, "accounts.contact.confirmed", contact.person, channel=contact.channel)
            return True
        contact.save(update_fields=["code_attempts"])
        return False


@transaction.atomic
def erase_person(person: Person, actor: Person | None, organization=None) -> None:
    """Delete a person and everything they own, for good. The audit keeps only the act."""
    record(actor, "accounts.person.erased", person, organization=organization)
    person.delete()
