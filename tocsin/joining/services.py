"""Joining and a member's own changes. Each function does one change, audits it, and sends
codes or links only after the transaction commits.

Audit entries name people by public id and contacts by channel and row id, never by address.

Nobody learns from a public form whether an address is in Tocsin (decision 0014). A join, or
a member adding a contact, that types an address someone else already has gets a *claim*: an
unconfirmed contact like any other, except that its blind index is random, so it matches no
look-up and owns nothing. The joiner sees the same pages, with a code form for it; no code
ever reaches them, since the job that would send one tells the address's owner instead
(tasks.py). The member-link request and the password link do the same work whether or not
the address is found, and leave what differs to the job.
"""

import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
)
from tocsin.accounts.roles import Role
from tocsin.accounts.services import people, subscriptions
from tocsin.audit.models import AuditEntry
from tocsin.audit.services import record
from tocsin.core import languages
from tocsin.core.crypto import blind_index
from tocsin.core.queue import enqueue_on_commit

from .tasks import (
    answer_member_link_request,
    send_code_or_notice,
    send_join_notice,
    send_member_link,
)

# Channels a person can give when joining or later; web push is added by the browser itself.
JOIN_CHANNELS = (ContactPoint.Channel.EMAIL, ContactPoint.Channel.SMS, ContactPoint.Channel.SIGNAL)
CODE_RESEND_SECONDS = 60
CODES_PER_HOUR = 5
LINKS_PER_HOUR = 3
NOTICES_PER_HOUR = 3


@dataclass(frozen=True)
class Area:
    """A point and a radius as typed; tocsin.accounts.services.subscriptions checks them."""

    lat: float | Decimal | str
    lng: float | Decimal | str
    radius_m: int | str


def check_profile(display_name: str, language: str) -> tuple[str, str]:
    errors = {}
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = _(
            "Write a name or an alias; it does not have to be your real name."
        )
    elif len(display_name) > 120:
        errors["display_name"] = _("The name or alias can be at most 120 characters.")
    if language not in languages.codes():
        errors["language"] = languages.error()
    if errors:
        raise ValidationError(errors)
    return display_name, language


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


def join(
    *,
    organization: Organization,
    display_name: str,
    language: str,
    contacts: dict[str, str],
    site: Site | None = None,
    follow_site: bool = False,
    area: Area | None = None,
    kinds: int,
) -> Person:
    """Create a member with unconfirmed contacts and their follows, then send each a code.

    `contacts` maps a channel to what the person typed. Every problem is raised as one
    ValidationError keyed by form field, and nothing is stored.
    """
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    try:
        display_name, language = check_profile(display_name, language)
    except ValidationError as error:
        collect(error)
    given = {channel: address.strip() for channel, address in contacts.items() if address.strip()}
    if not given:
        errors.setdefault("__all__", []).append(
            _("Give at least one way to reach you: email, a phone for text messages, or Signal.")
        )
    if not (follow_site and site) and area is None:
        errors.setdefault("__all__", []).append(
            _("Choose what to follow: a site, or an area on the map.")
        )
    try:
        subscriptions.check_kinds(kinds)
    except ValidationError as error:
        collect(error)
    if area is not None:
        try:
            subscriptions.check_area(area.lat, area.lng, area.radius_m)
        except ValidationError as error:
            collect(error)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            person = people.create_person(display_name=display_name, language=language)
            Membership.objects.create(
                person=person, organization=organization, roles=int(Role.MEMBER), site=site
            )
            added = []
            for preference, (channel, address) in enumerate(given.items(), start=1):
                try:
                    added.append(add_unconfirmed_contact(person, channel, address, preference))
                except ValidationError as error:
                    collect(error)
            try:
                if follow_site and site:
                    subscriptions.follow_site(person, organization, site, kinds)
                if area is not None:
                    subscriptions.follow_area(
                        person, organization, area.lat, area.lng, area.radius_m, kinds
                    )
            except ValidationError as error:
                collect(error)
            if errors:
                raise ValidationError(errors)
            record(
                None,
                "joining.person.joined",
                person,
                organization=organization,
                site=site.code if site else "",
                channels=sorted(given),
            )
            for contact in added:
                schedule_code(contact)
    except IntegrityError:
        # Two people submitted the same contact at the same instant; the other one won.
        raise ValidationError(
            {"__all__": [_("One of these contacts was just registered. Check them and try again.")]}
        ) from None
    return person


def schedule_code(contact: ContactPoint) -> None:
    """Write down that a code is on its way, and have the worker make and send it on commit
    (for a claim, the worker tells the address's owner instead)."""
    record(
        None,
        "joining.contact.code_requested",
        contact.person,
        contact=contact.pk,
        channel=contact.channel,
    )
    # Lost with a queue that is down: the page offers "send the code again".
    enqueue_on_commit(send_code_or_notice, contact.pk)


def tell_owner_of_join_attempt(owner: ContactPoint) -> None:
    """Have the owner of a claimed address told that someone tried to join with it, at most
    NOTICES_PER_HOUR times an hour, however many joins try it."""
    action = "joining.contact.join_attempted"
    with transaction.atomic():
        if recent_requests(action, owner, timedelta(hours=1)).count() >= NOTICES_PER_HOUR:
            return
        record(None, action, owner.person, contact=owner.pk, channel=owner.channel)
        # Lost with a queue that is down: the next attempt tells the owner.
        enqueue_on_commit(send_join_notice, owner.pk)


def recent_requests(action: str, contact: ContactPoint, within: timedelta):
    return AuditEntry.objects.filter(
        action=action,
        object_id=str(contact.person.public_id),
        detail__contact=contact.pk,
        at__gte=timezone.now() - within,
    )


@transaction.atomic
def request_new_code(contact: ContactPoint) -> None:
    """Send a fresh code to an unconfirmed contact, at most once a minute and 5 times an hour."""
    contact = ContactPoint.objects.select_for_update().select_related("person").get(pk=contact.pk)
    if contact.confirmed:
        raise ValidationError({"code": _("This contact is already confirmed.")})
    action = "joining.contact.code_requested"
    if recent_requests(action, contact, timedelta(seconds=CODE_RESEND_SECONDS)).exists():
        raise ValidationError(
            {"code": _("A code was sent less than a minute ago. Wait a minute and try again.")}
        )
    if recent_requests(action, contact, timedelta(hours=1)).count() >= CODES_PER_HOUR:
        raise ValidationError(
            {"code": _("Too many codes were sent to this contact. Try again in an hour.")}
        )
    schedule_code(contact)


def confirm_contact(contact: ContactPoint, code: str) -> None:
    """Confirm a contact with the code it received, or raise ValidationError on `code`."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6 or not people.check_confirmation_code(contact, code):
        contact.refresh_from_db(fields=["code_attempts", "code_expires_at"])
        if contact.code_attempts >= people.MAX_CODE_ATTEMPTS or (
            contact.code_expires_at is not None and contact.code_expires_at < timezone.now()
        ):
            raise ValidationError({"code": _("This code no longer works. Ask for a new code.")})
        raise ValidationError({"code": _("That code is not right. Check it and try again.")})


def request_member_link(address: str) -> ContactPoint | None:
    """Have a member link sent to the confirmed contact matching `address`, if there is one.

    A matching contact that is not confirmed yet (a join left half done, or an address
    from the union's imported list) gets a confirmation code instead, never a link; that
    contact is returned, so the code can be checked. The caller must answer the same way
    whatever happens here, so that nobody learns whether an address is in Tocsin: this
    function looks up and schedules one job in every case, and the job decides what to send.
    """
    address = (address or "").strip()[:254]
    channels = (
        [ContactPoint.Channel.EMAIL]
        if "@" in address
        else [ContactPoint.Channel.SIGNAL, ContactPoint.Channel.SMS]
    )
    found = [people.find_contact(channel, address) for channel in channels]
    matches = [contact for contact in found if contact is not None and contact.person.is_active]
    confirmed = [contact for contact in matches if contact.confirmed]
    chosen = min(confirmed or matches, key=lambda contact: contact.preference, default=None)
    # Lost with a queue that is down: the person asks for the link again.
    enqueue_on_commit(answer_member_link_request, chosen.pk if chosen else 0)
    return chosen if chosen is not None and not chosen.confirmed else None


def send_member_link_or_code(contact_id: int) -> None:
    """Send the member link (a code, to a contact not confirmed yet) that a request asked for.

    At most LINKS_PER_HOUR links an hour; codes keep their own limits (request_new_code).
    Called by the job, with 0 when nothing matched: then nothing is sent.
    """
    contact = (
        ContactPoint.objects.select_related("person")
        .filter(pk=contact_id, person__is_active=True)
        .first()
    )
    if contact is None:
        return
    if not contact.confirmed:
        # Too soon or too many: the code sent earlier still works.
        with suppress(ValidationError):
            request_new_code(contact)
        return
    action = "joining.member_link.requested"
    with transaction.atomic():
        if recent_requests(action, contact, timedelta(hours=1)).count() >= LINKS_PER_HOUR:
            return
        record(None, action, contact.person, contact=contact.pk, channel=contact.channel)
        enqueue_on_commit(send_member_link, contact.pk)


@cache
def _nowhere() -> str:
    """A hash no code matches: a refusal checked against it costs the same Argon2 work."""
    return make_password(secrets.token_urlsafe(32))


def confirm_claimed_contact(contact: ContactPoint | None, code: str) -> None:
    """Confirm the contact a member-link request matched, with the code it was sent.

    Raise one ValidationError on `code`, the same and after the same Argon2 work, whether
    the request matched nothing, a confirmed contact, or a contact whose code is wrong,
    spent or expired: the member-link page must not become a way to test addresses.
    """
    code = (code or "").strip().replace(" ", "")
    wrong = ValidationError(
        {"code": _("That code is not right, or it has expired. Check it, or ask for a new one.")}
    )
    if contact is not None:
        contact.refresh_from_db(fields=["code_attempts", "code_expires_at", "code_hash"])
    usable = (
        contact is not None
        and code.isdigit()
        and len(code) == 6
        and bool(contact.code_hash)
        and contact.code_expires_at is not None
        and contact.code_expires_at >= timezone.now()
        and contact.code_attempts < people.MAX_CODE_ATTEMPTS
    )
    if contact is None or not usable:
        check_password(code, _nowhere())
        raise wrong
    if not people.check_confirmation_code(contact, code):
        raise wrong


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
